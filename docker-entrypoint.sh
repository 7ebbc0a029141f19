#!/bin/sh
set -e
if [ "$(id -u)" = 0 ]; then
  case "$STORE_URL" in
    sqlite://*) dir=$(dirname "${STORE_URL#sqlite://}"); mkdir -p "$dir"; chown -R node:node "$dir" ;;
  esac
  exec setpriv --reuid=node --regid=node --init-groups node /app/dist/src/bin.js "$@"
fi
exec node /app/dist/src/bin.js "$@"
