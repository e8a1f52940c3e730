#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian/Ubuntu machine with Node 20 and npm, then runs
# every test: unit and route tests (Node + PGlite), the Workers suite (workerd + PostgreSQL through the
# Neon driver + Redis through the Upstash protocol), desktop and web unit tests, and Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v podman >/dev/null 2>&1 || missing+=(podman)
command -v runc >/dev/null 2>&1 || missing+=(runc)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing system packages: ${missing[*]}"
  sudo_if_needed apt-get update -qq
  DEBIAN_FRONTEND=noninteractive sudo_if_needed apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Workspace containers (tests/integration/workspaces) run on Podman's Docker API with runc: crun
# fails on hybrid cgroup hosts. The tests start `podman system service` on their own socket.
if [ ! -f /etc/containers/containers.conf ] || ! grep -q 'runtime = "runc"' /etc/containers/containers.conf; then
  sudo_if_needed mkdir -p /etc/containers
  printf '[engine]\nruntime = "runc"\n[containers]\ndefault_ulimits = []\n' | sudo_if_needed tee /etc/containers/containers.conf >/dev/null
fi

if command -v pnpm >/dev/null 2>&1 && pnpm --version | grep -q '^10\.'; then
  pnpm() { command pnpm "$@"; }
else
  pnpm() { npx --yes pnpm@10.34.9 "$@"; }
fi

export WRANGLER_SEND_METRICS=false
pnpm install --frozen-lockfile
pnpm typecheck
pnpm lint
pnpm test
