#!/usr/bin/env bash
# Creates .venv with the pinned packages. Safe to run again: it does nothing
# when requirements.txt has not changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=".venv/.installed-$(sha256sum requirements.txt | cut -c1-16)"
if [ -f "$stamp" ]; then exit 0; fi
python="$(scripts/python310.sh)"
echo "Setting up .venv with $python (a few minutes the first time)..."
[ -x .venv/bin/python ] || "$python" -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --upgrade "pip==24.3.1"
.venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt
rm -f .venv/.installed-*
touch "$stamp"
echo "Packages installed."
