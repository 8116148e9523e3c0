# Sourced by the start and test scripts: the environment with its defaults.
# Anything set already (or in .env) wins.
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export MIGRANT_BOT_RASA_PORT="${MIGRANT_BOT_RASA_PORT:-5005}"
export MIGRANT_BOT_ACTIONS_PORT="${MIGRANT_BOT_ACTIONS_PORT:-5055}"
export MIGRANT_BOT_ACTIONS_URL="${MIGRANT_BOT_ACTIONS_URL:-http://127.0.0.1:${MIGRANT_BOT_ACTIONS_PORT}/webhook}"
# Zero-downtime publishing: the public port above is the switch proxy's, the two
# Rasa servers listen on loopback ports; 0 runs one Rasa server, no proxy.
export MIGRANT_BOT_ZERO_DOWNTIME="${MIGRANT_BOT_ZERO_DOWNTIME:-1}"
export MIGRANT_BOT_RASA_BLUE_PORT="${MIGRANT_BOT_RASA_BLUE_PORT:-5006}"
export MIGRANT_BOT_RASA_GREEN_PORT="${MIGRANT_BOT_RASA_GREEN_PORT:-5007}"
export MIGRANT_BOT_PROXY_CONTROL_PORT="${MIGRANT_BOT_PROXY_CONTROL_PORT:-5009}"
# The staff web app (bot/staff; its other settings: bot/staff/config.py).
export MIGRANT_BOT_STAFF_PORT="${MIGRANT_BOT_STAFF_PORT:-5080}"
# TensorFlow's start-up chatter is of no use to an operator.
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-2}"
