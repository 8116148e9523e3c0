# The action server (bot/action_server, actions/): the same Rasa environment as the Rasa server.
# Build from the repository's root:  docker build -f deploy/docker/actions.Dockerfile .
# linux/amd64 only (requirements.txt holds x86_64 wheels).
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2 \
    MIGRANT_BOT_ACTIONS_HOST=0.0.0.0
RUN python -m venv /opt/venv && pip install --no-cache-dir pip==24.3.1
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt && rm /tmp/requirements.txt
RUN useradd --no-log-init --create-home --uid 10001 --user-group bot
WORKDIR /app
COPY bot/ bot/
COPY actions/ actions/
COPY data/ data/
COPY locales/ locales/
RUN mkdir var && chown bot:bot var
USER 10001
EXPOSE 5055
# /health is the one path the action server answers without its token
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
CMD ["python", "-m", "bot.action_server", "--port", "5055"]
