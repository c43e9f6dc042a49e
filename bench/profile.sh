#!/bin/sh
# Profiles our stream at steady state (see bench/src/profile/stream.ts).
set -e
cd "$(dirname "$0")/.."
exec node --import tsx bench/src/profile/stream.ts "$@"
