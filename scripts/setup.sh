#!/usr/bin/env bash
# Creates .venv with the pinned packages: the run-time set (requirements.txt)
# and the test and development tools (requirements-dev.txt), every file checked
# against the sha256 in the lock files. Safe to run again: it does nothing when
# neither lock file has changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
locks=(requirements.txt requirements-dev.txt)
stamp=".venv/.installed-$(cat "${locks[@]}" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then exit 0; fi
python="$(scripts/python310.sh)"
echo "Setting up .venv with $python (a few minutes the first time)..."
[ -x .venv/bin/python ] || "$python" -m venv .venv
# (this machine's pip configuration warns about every missing local index: not ours to show)
quiet_pip() { .venv/bin/pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
quiet_pip --upgrade "pip==24.3.1"
quiet_pip --require-hashes -r requirements.txt -r requirements-dev.txt
rm -f .venv/.installed-*
touch "$stamp"
echo "Packages installed."
