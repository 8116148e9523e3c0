#!/usr/bin/env bash
# Starts the assistant: installs what it needs, trains a model if the content
# has none yet, runs the action server, the Rasa server and the staff web app,
# and prints where to reach them. Ctrl+C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/staff-setup.sh
. scripts/env.sh
# Every setting, its default and its check: bot/core/settings.py. This refuses
# what would go wrong only later, e.g. the in-memory tracker cache
# (MIGRANT_BOT_TRACKER_CACHE=1) with two Rasa servers on one conversation store.
.venv/bin/python -m bot.core.settings check
# The var folder (MIGRANT_BOT_VAR_DIR, default var/) holds conversations
# (tracker.db, events.db), staff accounts, secrets and logs: readable by this
# user only (docs/privacy.md), whatever the machine's default umask is.
var="${MIGRANT_BOT_VAR_DIR:-var}"
umask 077
mkdir -p "$var"
chmod 700 "$var"
find "$var" -maxdepth 3 -type f -exec chmod 600 {} +
find "$var" -mindepth 1 -maxdepth 2 -type d -exec chmod 700 {} +

# Secrets made once and kept in the var folder, unless the environment sets them
# (bot/core/settings.py makes and reads them, for the staff app too):
# MIGRANT_BOT_API_TOKEN (var/api-token): the HTTP API can change state (replace
# the model, edit conversations), so it always needs a token;
# MIGRANT_BOT_ACTIONS_TOKEN (var/actions-token): the action server answers only the Rasa server.
MIGRANT_BOT_API_TOKEN="$(.venv/bin/python -m bot.core.settings api-token)"
MIGRANT_BOT_ACTIONS_TOKEN="$(.venv/bin/python -m bot.core.settings actions-token)"
export MIGRANT_BOT_API_TOKEN MIGRANT_BOT_ACTIONS_TOKEN

.venv/bin/python -m bot.core.content check >/dev/null || { .venv/bin/python -m bot.core.content check; exit 1; }
# Messenger channels are on when their variables are set (docs/channels.md);
# a partial set stops here with the missing variable's name.
channels="$(.venv/bin/python -m bot.rasa_server.channels)" || exit 1
model="$(.venv/bin/python -m bot.tools.train)"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

# Internal servers listen on loopback only; the token stays out of the command line (ps).
.venv/bin/python -m bot.action_server --port "$MIGRANT_BOT_ACTIONS_PORT" >"$var/actions.log" 2>&1 &
pids+=($!)
# Zero-downtime publishing (docs/staff-publish.md): two Rasa servers, "blue" and
# "green", on loopback ports behind the switch proxy on the public port; a
# publish loads a new model into the one users are not on, then switches.
# Each Rasa server needs about 600 MB; MIGRANT_BOT_ZERO_DOWNTIME=0 runs one
# server on the public port and no proxy (answer-only publishes still work).
# SANIC_REQUEST_MAX_SIZE: a request body over 2 MiB is refused (413) by the Rasa
# server itself too, not only by the proxy in front of it.
rasa_server() {  # name port interface
  SANIC_REQUEST_MAX_SIZE=2097152 .venv/bin/python -m bot.rasa_server.serve --model "$model" --endpoints endpoints.yml --credentials credentials.yml \
    --port "$2" --interface "$3" >"$var/rasa-$1.log" 2>&1 &
  pids+=($!)
}
if [ "$MIGRANT_BOT_ZERO_DOWNTIME" = 1 ]; then
  # two servers write the same conversations: neither keeps them in memory
  # (MIGRANT_BOT_TRACKER_CACHE is off unless MIGRANT_BOT_ZERO_DOWNTIME=0; the check above refuses it on)
  rasa_server blue "$MIGRANT_BOT_RASA_BLUE_PORT" 127.0.0.1
  rasa_server green "$MIGRANT_BOT_RASA_GREEN_PORT" 127.0.0.1
  .venv-staff/bin/python -m bot.staff proxy >"$var/proxy.log" 2>&1 &
  pids+=($!)
  rasa_urls=("http://127.0.0.1:${MIGRANT_BOT_RASA_BLUE_PORT}" "http://127.0.0.1:${MIGRANT_BOT_RASA_GREEN_PORT}" "http://127.0.0.1:${MIGRANT_BOT_RASA_PORT}")
else
  rasa_server single "$MIGRANT_BOT_RASA_PORT" 0.0.0.0  # the public port
  rasa_urls=("http://127.0.0.1:${MIGRANT_BOT_RASA_PORT}")
fi
# The staff web app runs in its own environment (a current aiohttp, no Rasa).
.venv-staff/bin/python -m bot.staff serve >"$var/staff.log" 2>&1 &
pids+=($!)

echo "Starting the servers (about half a minute)..."
for _ in $(seq 180); do
  up=1
  for url in "${rasa_urls[@]}"; do
    curl -sf "${url}/status?token=${MIGRANT_BOT_API_TOKEN}" >/dev/null 2>&1 || up=0
  done
  if [ "$up" = 1 ] \
     && curl -sf "http://127.0.0.1:${MIGRANT_BOT_ACTIONS_PORT}/health" >/dev/null 2>&1 \
     && curl -sf "http://127.0.0.1:${MIGRANT_BOT_STAFF_PORT}/sign-in" >/dev/null 2>&1; then
    cat <<MSG

The assistant is running.
  REST channel:      POST http://localhost:${MIGRANT_BOT_RASA_PORT}/webhooks/rest/webhook
                     {"sender": "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')", "message": "How do I get a residence permit?"}
  socket.io channel: http://localhost:${MIGRANT_BOT_RASA_PORT}/socket.io
  ${channels}
  Web chat demo:     http://localhost:${MIGRANT_BOT_RASA_PORT}/widget/demo.html
  Chat in a terminal: make chat      (in another terminal)
  Staff app:         http://localhost:${MIGRANT_BOT_STAFF_PORT}/   (first admin: make staff-admin EMAIL=you@example.org)
  Logs:              $var/rasa-*.log, $var/proxy.log, $var/actions.log, $var/staff.log
  Publishing:        zero-downtime $([ "$MIGRANT_BOT_ZERO_DOWNTIME" = 1 ] && echo "on: proxy :${MIGRANT_BOT_RASA_PORT} -> rasa :${MIGRANT_BOT_RASA_BLUE_PORT} / :${MIGRANT_BOT_RASA_GREEN_PORT}" || echo "off (one Rasa server)")
                     .venv-staff/bin/python -m bot.staff publish | rollback | publish-status
  API token:         ${MIGRANT_BOT_STAFF_VAR_DIR:-$var}/api-token (or MIGRANT_BOT_API_TOKEN)
Press Ctrl+C to stop.
MSG
    wait -n "${pids[@]}"
    echo "A server stopped; see $var/rasa-*.log, $var/actions.log and $var/staff.log." >&2
    exit 1
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see $var/rasa-*.log, $var/actions.log and $var/staff.log." >&2; exit 1; }
  done
  sleep 1
done
echo "The servers did not start within 3 minutes; see $var/rasa-*.log, $var/actions.log and $var/staff.log." >&2
exit 1
