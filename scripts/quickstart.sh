#!/usr/bin/env bash
# The README's first command: set up, then run gwarden's main job on the bundled example app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
gw() { node dist/cli.js "$@"; }
echo "== gwarden doctor" >&2
gw doctor -- gunicorn --chdir example app:app
echo "== gwarden profile" >&2
gw profile --url /health --url /db -- gunicorn --chdir example app:app
echo "== gwarden plan --explain" >&2
gw plan --explain -- gunicorn --chdir example app:app
