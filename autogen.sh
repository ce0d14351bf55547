#!/bin/sh
# Generate ./configure and the Makefile templates from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf --force --install --warnings=all,error "$@"
echo "Now run ./configure && make"
