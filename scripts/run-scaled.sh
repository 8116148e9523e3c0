#!/usr/bin/env bash
# Starts the scaled topology on this machine (docs/deployment.md): Rasa replicas and action
# servers behind nginx, conversations and the staff app in PostgreSQL, locks in Redis.
#   scripts/run-scaled.sh [REPLICAS] [ACTIONS]     (make run-scaled REPLICAS=3 ACTIONS=2)
# Installs Debian's nginx, redis-server and postgresql when they are missing (as root), as
# the tests do. `make run` stays the embedded default: one machine, SQLite, no Redis.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/staff-setup.sh
. scripts/env.sh
. scripts/debian-packages.sh
need_packages "the scaled topology" nginx:/usr/sbin/nginx redis-server:/usr/bin/redis-server 'postgresql:/usr/lib/postgresql/*/bin/initdb'
.venv/bin/python -m bot.core.content check >/dev/null || { .venv/bin/python -m bot.core.content check; exit 1; }
var="${MIGRANT_BOT_VAR_DIR:-var}"
umask 077
mkdir -p "$var"
chmod 700 "$var"
exec .venv/bin/python -m bot.tools.scaled run --replicas "${1:-3}" --actions "${2:-2}"
