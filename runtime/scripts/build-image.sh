#!/usr/bin/env bash
# Builds the workspace runtime image locally with podman (or docker), from the runtime bundle and
# this machine's node binary with exactly the shared libraries `ldd` lists. No registry needed.
#   runtime/scripts/build-image.sh [tag]        (default tag: localhost/2bot-runtime:latest)
# Env: NODE_BIN (default: the node on PATH), ENGINE (podman|docker, default: podman if present).
set -euo pipefail
cd "$(dirname "$0")/.."

TAG="${1:-localhost/2bot-runtime:latest}"
NODE_BIN="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
ENGINE="${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"

node scripts/build-bundle.mjs

CONTEXT="dist/image"
rm -rf "$CONTEXT"
ROOTFS="$CONTEXT/rootfs"
mkdir -p "$ROOTFS/usr/bin" "$ROOTFS/app" "$ROOTFS/tmp"
chmod 1777 "$ROOTFS/tmp"
cp "$NODE_BIN" "$ROOTFS/usr/bin/node"
# Every library the binary links (and the dynamic loader), at the same paths inside the image.
ldd "$NODE_BIN" | grep -o '/[^ ]*' | sort -u | while read -r lib; do
  mkdir -p "$ROOTFS$(dirname "$lib")"
  cp -L "$lib" "$ROOTFS$lib"
done
cp dist/*.mjs dist/emscripten-module.wasm "$ROOTFS/app/"
cp Containerfile "$CONTEXT/Containerfile"

"$ENGINE" build --quiet --tag "$TAG" --label "org.opencontainers.image.revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" -f "$CONTEXT/Containerfile" "$CONTEXT" >/dev/null
SIZE="$("$ENGINE" image inspect "$TAG" --format '{{.Size}}')"
echo "built $TAG ($((SIZE / 1024 / 1024)) MiB) with $ENGINE from $NODE_BIN $("$NODE_BIN" --version)"
