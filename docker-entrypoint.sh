#!/bin/sh
set -e
# A young generation of 8 MB semi-spaces: V8 otherwise grows it to 64 MB while the channels load
# and keeps it, ~100 MB of RSS for nothing (BENCHMARKS.md); as `npm start` runs the bot.
NODE_FLAGS=--max-semi-space-size=8
if [ "$(id -u)" = 0 ]; then
  case "$STORE_URL" in
    sqlite://*) dir=$(dirname "${STORE_URL#sqlite://}"); mkdir -p "$dir"; chown -R node:node "$dir" ;;
  esac
  exec setpriv --reuid=node --regid=node --init-groups node $NODE_FLAGS /app/dist/src/bin.js "$@"
fi
exec node $NODE_FLAGS /app/dist/src/bin.js "$@"
