# The staff web app (bot/staff), in its own environment (requirements-staff.txt: a current aiohttp, no Rasa).
# Build from the repository's root:  docker build -f deploy/docker/staff.Dockerfile .
FROM python:3.10-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PATH=/opt/venv/bin:$PATH \
    MIGRANT_BOT_STAFF_HOST=0.0.0.0
RUN python -m venv /opt/venv && pip install --no-cache-dir pip==24.3.1
COPY requirements-staff.txt /tmp/requirements-staff.txt
RUN pip install --no-cache-dir --require-hashes -r /tmp/requirements-staff.txt && rm /tmp/requirements-staff.txt
RUN useradd --no-log-init --create-home --uid 10001 --user-group bot
WORKDIR /app
COPY bot/ bot/
COPY data/ data/
COPY domain/ domain/
COPY locales/ locales/
# var/: drafts, the staff secret when none is set (mount a volume here to keep the drafts)
RUN mkdir var && chown bot:bot var
USER 10001
EXPOSE 5080
# /sign-in is served without a session
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=6 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5080/sign-in', timeout=4)"]
CMD ["python", "-m", "bot.staff", "serve"]
