"""Which Rasa replicas nginx sends users to: the rotation file, and nginx's graceful reload.

In the scaled topology (``make run-scaled``, docs/deployment.md) nginx's two upstream groups
of Rasa replicas include one small file, ``rasa-servers.conf`` in nginx's folder, one
``server`` line per replica; a replica marked ``down`` gets no new requests. A publish takes
one replica out of rotation, loads the new model into it, checks it, then does the same for
the others one at a time (bot/staff/replicas.py). The launcher writes the first version
(bot/tools/scaled), the staff app the later ones; both through here, so the two cannot
disagree on its form. Standard library only: the staff app's environment reads it too.
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

FILE_NAME = "rasa-servers.conf"
PID_FILE = "nginx.pid"
#: a replica that refused a connection gets no new requests for this long, then is tried again
SERVER_OPTIONS = "max_fails=1 fail_timeout=5s"
_LINE = re.compile(r"^\s*server\s+(\S+)\s+.*?(\bdown\b)?\s*;\s*$")


class RotationError(RuntimeError):
    """nginx's folder or process is not where the settings say."""


def render(addresses: list[str], down: frozenset[str] = frozenset()) -> str:
    """The file's text: every replica's ``server`` line, ``down`` for those out of rotation."""
    if not addresses or set(addresses) <= down:
        raise RotationError("at least one Rasa replica must stay in rotation")
    lines = [f"server {a} {SERVER_OPTIONS}{' down' if a in down else ''};" for a in addresses]
    return "# Written by bot/core/rotation.py: the Rasa replicas and which of them take requests.\n" + "\n".join(lines) + "\n"


def read(prefix: Path) -> tuple[list[str], frozenset[str]]:
    """The replicas in the file and the ones out of rotation."""
    try:
        text = (prefix / FILE_NAME).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RotationError(f"{prefix / FILE_NAME} is missing: is nginx's folder (MIGRANT_BOT_NGINX_PREFIX) right?") from None
    found = [match for match in map(_LINE.match, text.splitlines()) if match]
    return [m.group(1) for m in found], frozenset(m.group(1) for m in found if m.group(2))


def write(prefix: Path, addresses: list[str], down: frozenset[str] = frozenset()) -> None:
    """Replaces the file whole (a reload never reads half of it)."""
    partial = prefix / f".{FILE_NAME}.{os.getpid()}"
    partial.write_text(render(addresses, down), encoding="utf-8")
    os.replace(partial, prefix / FILE_NAME)


def reload(prefix: Path) -> None:
    """Asks the running nginx to read its configuration again (SIGHUP: requests in flight finish)."""
    try:
        pid = int((prefix / PID_FILE).read_text(encoding="utf-8").strip())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError) as error:
        raise RotationError(f"nginx is not running from {prefix} ({error})") from None


def set_down(prefix: Path, down: frozenset[str]) -> None:
    """Takes ``down`` out of rotation and puts every other replica in; nginx reloads."""
    addresses, current = read(prefix)
    unknown = down - set(addresses)
    if unknown:
        raise RotationError(f"not replicas behind nginx: {', '.join(sorted(unknown))}")
    if down != current:
        write(prefix, addresses, down)
        reload(prefix)
