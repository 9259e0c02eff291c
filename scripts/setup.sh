#!/usr/bin/env bash
# Installs what gwarden and its example app need on Debian 12 (run as root), then builds gwarden.
# Idempotent: packages already present are not fetched again.
#   GWARDEN_SETUP_TEST=1  also installs what the test suite needs (PostgreSQL, tmux, wrk, pyflakes3 for
#                         the Python runtime, the extra gunicorn releases 23.x and 26.x from
#                         ../shared/tools/gunicorn-versions, and the cgroup v2 tier's VM: QEMU, Debian's
#                         kernel and a static busybox; the kernel package only adds files under /boot and
#                         /lib/modules, no bootloader is touched).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(gunicorn python3-flask python3-sqlalchemy python3-cryptography python3-psycopg2)
if [[ ${GWARDEN_SETUP_TEST:-0} == 1 ]]; then
  packages+=(postgresql tmux wrk procps chromium python3-yaml pyflakes3 qemu-system-x86 linux-image-amd64 busybox-static e2fsprogs)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "setup: Node.js >= 20 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  echo "setup: installing npm dependencies" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build

if [[ ${GWARDEN_SETUP_TEST:-0} == 1 ]]; then
  tool=../shared/tools/gunicorn-versions
  if [[ -x $tool || -f $tool ]]; then
    bash "$tool" .gunicorn-versions >.gunicorn-versions.txt
  else
    echo "setup: $tool not found; tests for gunicorn 23.x/26.x will be skipped" >&2
  fi
fi
