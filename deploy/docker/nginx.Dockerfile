# nginx in front of the Rasa servers (neither the staff app nor the action servers are behind it), with the configuration deploy/nginx/nginx.conf.
# Build from the repository's root:  docker build -f deploy/docker/nginx.Dockerfile .
# The widget's files are not copied here: the Rasa server makes widget.js (the socket.io client and
# the widget in one script) and the strings from the content pack, under /widget/, so nginx proxies them.
FROM nginx:1.28.0-bookworm
COPY deploy/nginx/nginx.conf /etc/nginx/nginx.conf
# Runs as the image's nginx user (uid 101): nginx.conf listens on 8080, keeps its pid in /tmp and
# logs to stderr, and the temp folders (kept empty: bodies stay in memory) become nginx's.
RUN chown -R nginx:nginx /var/cache/nginx
USER 101
EXPOSE 8080
# the official image has bash, not curl
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
