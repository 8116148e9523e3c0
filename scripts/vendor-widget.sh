#!/usr/bin/env bash
# Refreshes the web widget's socket.io client from the npm registry: the
# minified browser build of socket.io-client and its licence go into
# bot/rasa_server/widget/static/vendor/ (committed; nothing is fetched at run time).
# To move to another version, change VERSION, run this with CHECK_SHA256=no,
# read the new file's changes, then put its sha256 into SHA256.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=4.8.4
SHA256=d5d79a35039e860b32bdef4795528b05c2f788d4b2d9dacc913120e2878f7b3f
target=bot/rasa_server/widget/static/vendor
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "socket.io-client@${VERSION}" >/dev/null)
tar -xzf "$tmp/socket.io-client-${VERSION}.tgz" -C "$tmp"
got="$(sha256sum "$tmp/package/dist/socket.io.min.js" | cut -d' ' -f1)"
if [ "${CHECK_SHA256:-yes}" != no ] && [ "$got" != "$SHA256" ]; then
  echo "socket.io.min.js of socket.io-client ${VERSION} has sha256 $got, expected $SHA256" >&2
  exit 1
fi
mkdir -p "$target"
cp "$tmp/package/dist/socket.io.min.js" "$target/socket.io.min.js"
cp "$tmp/package/LICENSE" "$target/socket.io-client.LICENSE"
echo "socket.io-client ${VERSION} -> $target/socket.io.min.js (sha256 $got)"
