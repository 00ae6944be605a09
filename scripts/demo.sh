#!/usr/bin/env bash
# README's first command: the main job on the embedded default. Makes .venv if needed, installs the package,
# validates the bundled example submissions offline, harvests them into ./medal-catalog.db (SQLite store and
# full-text index; the bundled panel records accept two tasks, one over an open dataset) and serves the catalog
# on http://127.0.0.1:PORT, where an anonymous visitor finds the accepted tasks.
#   scripts/demo.sh [--port N] [--host H]     (default 127.0.0.1:8000; Ctrl-C stops the server)
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=8000
HOST=127.0.0.1
while [ $# -gt 0 ]; do
  case "$1" in
    --port) PORT="$2"; shift 2 ;;
    --host) HOST="$2"; shift 2 ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "scripts/demo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
PYTHON="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
.venv/bin/medal validate examples/valid examples/open
.venv/bin/medal harvest examples/valid/* examples/open/*
echo "Serving on http://$HOST:$PORT/ (search), http://$HOST:$PORT/api/docs (API); Ctrl-C stops."
exec .venv/bin/medal serve --host "$HOST" --port "$PORT"
