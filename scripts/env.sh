# Sourced by the start and test scripts: the environment with its defaults.
# Anything set already (or in .env) wins.
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export MIGRANT_BOT_RASA_PORT="${MIGRANT_BOT_RASA_PORT:-5005}"
export MIGRANT_BOT_ACTIONS_PORT="${MIGRANT_BOT_ACTIONS_PORT:-5055}"
export MIGRANT_BOT_ACTIONS_URL="${MIGRANT_BOT_ACTIONS_URL:-http://127.0.0.1:${MIGRANT_BOT_ACTIONS_PORT}/webhook}"
# The staff web app (bot/staff; its other settings: bot/staff/config.py).
export MIGRANT_BOT_STAFF_PORT="${MIGRANT_BOT_STAFF_PORT:-5080}"
# TensorFlow's start-up chatter is of no use to an operator.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
