#!/usr/bin/env bash
# Creates .venv-staff, the staff web app's own environment, with the pinned
# packages of requirements-staff.txt and its test tools, requirements-staff-dev.txt,
# every file checked against the sha256 in the lock files. The staff app runs
# on a current aiohttp and never imports Rasa, so it cannot share .venv (Rasa
# 3.6 pins aiohttp<3.10). Safe to run again: it does nothing when neither lock
# file has changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."
locks=(requirements-staff.txt requirements-staff-dev.txt)
stamp=".venv-staff/.installed-$(cat "${locks[@]}" | sha256sum | cut -c1-16)"
if [ -f "$stamp" ]; then exit 0; fi
python="$(scripts/python310.sh)"
echo "Setting up .venv-staff with $python..."
[ -x .venv-staff/bin/python ] || "$python" -m venv .venv-staff
# (this machine's pip configuration warns about every missing local index: not ours to show)
quiet_pip() { .venv-staff/bin/pip install --quiet --disable-pip-version-check "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
quiet_pip --upgrade "pip==24.3.1"
quiet_pip --require-hashes -r requirements-staff.txt -r requirements-staff-dev.txt
rm -f .venv-staff/.installed-*
touch "$stamp"
echo "Staff app packages installed."
