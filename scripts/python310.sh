#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter (Rasa 3.6 needs 3.8-3.10).
# Order: $PYTHON, python3.10 on PATH, pyenv's 3.10.x.
set -euo pipefail
works() { [ -n "$1" ] && "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
if [ -n "${PYTHON:-}" ] && works "$PYTHON"; then echo "$PYTHON"; exit 0; fi
if works "$(command -v python3.10 || true)"; then command -v python3.10; exit 0; fi
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -rV); do
    candidate="$(pyenv prefix "$version")/bin/python3.10"
    if works "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
echo "Python 3.10 is needed (Rasa 3.6 runs on 3.8 to 3.10). Install it, or set PYTHON=/path/to/python3.10." >&2
exit 1
