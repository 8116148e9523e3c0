"""nginx's configuration for the scaled topology: one renderer for ``make run-scaled``, the tests and the containers.

Three upstream groups, each with its own routing (docs/deployment.md):

- ``rasa``: the REST channel, the messengers' webhooks and the HTTP API, spread over the
  Rasa replicas with no stickiness (``least_conn``). A conversation may land on any replica:
  its tracker is in PostgreSQL and its lock in Redis. A request that cannot be *sent* (a
  replica that is down refuses the connection) goes to the next replica; one that was sent
  is never sent twice (POST is not idempotent: the replica may have saved the message).
- ``rasa_socketio``: the widget's socket.io, pinned to one replica per client address
  (``hash $remote_addr consistent``). Engine.IO's long-polling sends each request of one
  session separately and only the replica that made the session knows it; the handshake
  carries no session id to route on, so nginx's open-source edition can only be sticky by
  address. When that replica goes, the client reconnects to another one and its session
  (history, language) comes back from the conversation store.
- ``actions``: the action servers, on a second, internal port that the Rasa replicas use as
  their action endpoint. An action call is retried on the next action server even after it was
  sent (``non_idempotent``): actions compute events from the tracker they are given and change
  nothing else, so a retry cannot apply anything twice, and a killed action server costs no
  user request.

On loopback, every response names the replica that served it (``X-Upstream``), for the tests
and operators; the containers' configuration leaves it out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core import rotation

#: paths nginx would otherwise put under /var/lib/nginx (root's): kept in the prefix folder
_TEMP_PATHS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class NginxLayout:
    """What nginx listens on, where it sends requests, and where it keeps its files."""

    listen: str  # the public address, e.g. "0.0.0.0:5005" or "8080"
    rasa_servers: tuple[str, ...]  # host:port of each Rasa replica
    actions_listen: str = ""  # the internal address the Rasa replicas call actions on (with action_servers)
    action_servers: tuple[str, ...] = ()  # host:port of each action server; none: the replicas call them directly
    prefix: Path | None = None  # pid, logs and temp files here (a process started by this project); None: the image's defaults
    temp_dir: Path | None = None  # where nginx's workers buffer large bodies; None: prefix/temp
    max_body: str = "2m"  # as the Rasa server's own limit (SANIC_REQUEST_MAX_SIZE) and the switch proxy's
    read_timeout_s: int = 300  # training-free requests are fast; PUT /model and evaluations are not
    #: every response names the replica that served it (X-Upstream): on loopback for the tests and an
    #: operator, never on a public port (it would tell the internal addresses to anyone)
    show_upstream: bool = True


def _servers(addresses: tuple[str, ...], options: str) -> str:
    return "\n".join(f"        server {address} {options};" for address in addresses)


def _files(layout: NginxLayout) -> tuple[str, str]:
    """The main context's and the http context's file paths (prefix folder, or the image's defaults)."""
    if layout.prefix is None:
        return "pid /tmp/nginx.pid;\nerror_log stderr warn;", "access_log off;"
    prefix = layout.prefix
    temp_dir = layout.temp_dir or prefix / "temp"
    temp = "\n    ".join(f"{name}_temp_path {temp_dir / name};" for name in _TEMP_PATHS)
    main = f"pid {prefix / rotation.PID_FILE};\nerror_log {prefix / 'error.log'} warn;"
    http = f"access_log {prefix / 'access.log'} upstreams;\n    {temp}"
    return main, http


def _rasa_servers(layout: NginxLayout) -> str:
    """The Rasa replicas' lines: inline in an image's file, else the rotation file a publish rewrites (bot/core/rotation.py)."""
    if layout.prefix is None:
        return _servers(layout.rasa_servers, rotation.SERVER_OPTIONS)
    return f"        include {layout.prefix / rotation.FILE_NAME};"


def _actions(layout: NginxLayout) -> str:
    """The action servers' upstream and internal port, when nginx spreads the action calls."""
    if not layout.action_servers:
        return ""
    servers = _servers(layout.action_servers, rotation.SERVER_OPTIONS)
    return f"""
    upstream actions {{
        least_conn;
{servers}
        keepalive 16;
    }}

    server {{
        listen {layout.actions_listen};
        # Rasa sends the action server the conversation's whole session: a long one passes 2 MB
        # (seen under load: 413 and lost answers). The action server's own limit is Sanic's 100 MB.
        client_max_body_size 100m;
        proxy_read_timeout {layout.read_timeout_s}s;
        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_next_upstream error timeout http_502 http_503 non_idempotent;
            proxy_next_upstream_tries 3;
        }}
    }}
"""


#: the containers' nginx (deploy/nginx/nginx.conf): Compose's and Kubernetes' service names, the
#: unprivileged port 8080; the action calls go to the actions service directly (its own balancing)
CONTAINER_LAYOUT = NginxLayout(listen="8080", rasa_servers=("rasa:5005",), show_upstream=False)


def render(layout: NginxLayout) -> str:
    """The whole nginx.conf for ``layout``."""
    main_files, http_files = _files(layout)
    upstream_header = "        add_header X-Upstream $upstream_addr always;\n" if layout.show_upstream else ""
    # fail_timeout: a server that refused a connection gets no new requests for 5 s, then is tried again
    rasa = _rasa_servers(layout)
    actions = _actions(layout)
    return f"""# Generated by bot/tools/scaled/nginx.py (python -m bot.tools.scaled nginx-conf): edit that, not this file.
worker_processes auto;
{main_files}
events {{ worker_connections 4096; }}

http {{
    log_format upstreams '$remote_addr "$request" $status $request_time $upstream_addr $upstream_response_time';
    {http_files}
    client_max_body_size {layout.max_body};
    # messages and replies stay in memory (no disk I/O); only a long conversation's tracker sent
    # to the action servers may be larger (see the actions' port)
    client_body_buffer_size {layout.max_body};
    proxy_max_temp_file_size 0;
    server_tokens off;

    map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}

    # No kept-alive connections to the replicas: a message sent on a connection kept open to a
    # replica that died in the meantime would fail (nginx does not resend a POST once sent),
    # where a new connection is refused and the message goes to the next replica.
    upstream rasa {{
        least_conn;
{rasa}
    }}

    upstream rasa_socketio {{
        hash $remote_addr consistent;
{rasa}
    }}

    server {{
        listen {layout.listen};
{upstream_header}        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout {layout.read_timeout_s}s;
        proxy_next_upstream error timeout;
        proxy_next_upstream_tries 3;

        location /socket.io/ {{
            proxy_pass http://rasa_socketio;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_buffering off;
        }}

        location / {{
            proxy_pass http://rasa;
        }}
    }}
{actions}}}
"""
