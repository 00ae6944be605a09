#!/usr/bin/env bash
# Run the whole test suite: make (or reuse) .venv, install the package with its test extras, run pytest.
# Extra arguments go to pytest (e.g. scripts/test.sh -k dicom).
#
# The quality gates run with the tests, each as a test (docs/development.md says how to run one alone):
#   tests/test_quality.py       ruff check (lint), ruff format --check; mypy, strict on store/, search/, api/
#                               and catalog.py; vulture (unused code)
#   tests/test_architecture.py  import-linter: the layers and no import circles (pyproject [tool.importlinter])
#   tests/test_docs.py          mkdocs build --strict; the generated CLI reference against the commands
# `scripts/test.sh --gates` runs the gates alone (about a minute), before a commit.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
GATES=(tests/test_quality.py tests/test_architecture.py tests/test_docs.py)
if [ "${1:-}" = "--gates" ]; then
  shift
  set -- "${GATES[@]}" "$@"
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
exec .venv/bin/python -m pytest "$@"
