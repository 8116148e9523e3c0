#!/usr/bin/env bash
# Runs every check and test: content, translations, lint, Rasa's data
# validation, then pytest (unit tests, and end-to-end tests that train a
# model and start the servers), then the staff web app's tests in its own
# environment. Extra arguments go to the first pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/staff-setup.sh
. scripts/env.sh

# Test servers come from Debian's packages: PostgreSQL for the tracker store, and for the
# scaled topology's tests (tests/e2e/test_scaled.py) also nginx and Redis.
. scripts/debian-packages.sh
need_packages "the tests" 'postgresql:/usr/lib/postgresql/*/bin/initdb' nginx:/usr/sbin/nginx redis-server:/usr/bin/redis-server
# ...and Chromium for the web widget's browser tests (driven by Playwright,
# which never downloads a browser of its own here).
need_packages "the widget's browser tests" chromium:/usr/bin/chromium
# ...and rasa-webchat from the npm registry for its drop-in client test
# (tests/e2e/test_rasa_webchat.py), at the versions of its package-lock.json;
# again when the lock file changed.
webchat=tests/e2e/webchat
if [ ! -f "$webchat/node_modules/rasa-webchat/lib/index.js" ] || [ "$webchat/package-lock.json" -nt "$webchat/node_modules/.package-lock.json" ]; then
  command -v npm >/dev/null || need_packages "the rasa-webchat test" npm:/usr/bin/npm
  echo "== installing rasa-webchat (npm ci in $webchat) for its browser test"
  (cd "$webchat" && npm ci --loglevel=error >/dev/null)
fi
py=.venv/bin/python
mkdir -p var
# Rasa servers started by the tests read the action server's token from endpoints.yml.
export MIGRANT_BOT_ACTIONS_TOKEN="${MIGRANT_BOT_ACTIONS_TOKEN:-$($py -c 'import secrets; print(secrets.token_hex(16))')}"

echo "== content";             $py -m bot.core.content check
echo "== interface strings";   $py -m bot.core.translations_check
echo "== lint";                .venv/bin/ruff check bot actions tests benchmarks
echo "== import contract";     .venv/bin/lint-imports --no-cache  # [tool.importlinter] in pyproject.toml
echo "== types (mypy)";        .venv/bin/mypy                     # [tool.mypy] in pyproject.toml
echo "== message templates"    # messages.pot against what pybabel extracts now
$py scripts/check_catalog.py babel.cfg locales/messages.pot --fix-hint "make messages-extract"
.venv-staff/bin/python scripts/check_catalog.py bot/staff/babel.cfg bot/staff/locales/messages.pot --fix-hint "make staff-messages"
echo "== pip check";           .venv/bin/pip check --disable-pip-version-check
echo "== rasa data validate"
$py -m bot.core.content build >/dev/null
.venv/bin/rasa data validate --fail-on-warnings --domain build/domain --data build/data --config config.yml >var/validate.log 2>&1 \
  || { tail -n 30 var/validate.log; echo "rasa data validate failed"; exit 1; }
echo "ok"
echo "== pytest"
$py -m pytest "$@"
echo "== staff app tests (its own environment, .venv-staff)"
.venv-staff/bin/python -m pytest -c tests/staff/pytest.ini --rootdir=.
