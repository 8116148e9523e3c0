# Sourced by the start and test scripts: the environment with its defaults.
# Anything set already (or in .env) wins. The defaults themselves live in one
# place, the settings schema (bot/core/settings.py; .env.example lists every
# variable): this exports the ones the scripts use (ports, the action server's
# URL, MIGRANT_BOT_ZERO_DOWNTIME), and stops with the variable's name when a
# value is not one its setting can take.
if [ -f .env ]; then set -a; . ./.env; set +a; fi
# The schema is plain Python (no packages), so either environment can read it.
for _python in .venv/bin/python .venv-staff/bin/python python3; do
  if command -v "$_python" >/dev/null 2>&1; then break; fi
done
_exports="$("$_python" -m bot.core.settings shell)" || return 1 2>/dev/null || exit 1
eval "$_exports"
unset _python _exports
# Rasa sends usage data and exception reports to Rasa's servers unless told not to:
# nothing about a conversation leaves the deployment (docs/privacy.md).
export RASA_TELEMETRY_ENABLED="${RASA_TELEMETRY_ENABLED:-false}"
# TensorFlow's start-up chatter is of no use to an operator.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
