#!/usr/bin/env bash
# The README's first command: set up, look at the box and the example app (doctor, profile, plan),
# then run gwarden's main job on it until Ctrl-C.
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
echo "== gwarden run (Ctrl-C stops gunicorn gracefully; the app on http://127.0.0.1:8000, gwarden's /metrics, /api/state, /api/events, /healthz on http://127.0.0.1:9191)" >&2
exec node dist/cli.js run -- gunicorn --chdir example app:app
