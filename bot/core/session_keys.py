"""The secret that proves a widget owns its conversation: ``session_key``.

A socket.io conversation id used to be the only thing a client needed to
join a conversation: whoever learnt it (a shared computer, a screenshot, a
log) received that person's replies live and could write in their name. Now
the server issues a key with every session it confirms::

    session_key = HMAC-SHA256(server secret, session_id)   (hex)

and joins an existing id only when its key comes with it. It is stateless:
nothing is stored per session, and every Rasa server that shares the secret
(the blue/green pair behind the switch proxy) accepts the keys of the
others.

The secret is ``MIGRANT_BOT_SESSION_SECRET`` (at least 32 characters) or,
when that is not set, the contents of ``session-secret`` in the var folder
(``MIGRANT_BOT_VAR_DIR``, default ``var/``), made once with mode 0600. The file appears atomically (written in full under another name,
then hard-linked into place, which fails when it exists), so two servers
starting together read the same secret. A new secret turns every widget's
stored key invalid: their next connection starts a new conversation.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from bot.core.settings import PREFIX, Settings, load_settings

SECRET_VARIABLE = PREFIX + "SESSION_SECRET"
MIN_SECRET_LENGTH = 32


class SessionSecretError(ValueError):
    """The session secret is too short, or its file cannot be used."""


def session_key(secret: bytes, session_id: str) -> str:
    """The key that goes with ``session_id``: HMAC-SHA256 of the id under the server's secret, hex."""
    return hmac.new(secret, session_id.encode("utf-8"), hashlib.sha256).hexdigest()


def key_matches(secret: bytes, session_id: str, key: object) -> bool:
    """True when ``key`` is the key of ``session_id`` (compared in constant time)."""
    if not isinstance(key, str) or not key.isascii():
        return False
    return hmac.compare_digest(session_key(secret, session_id), key)


def _checked(secret: str, where: str) -> bytes:
    if len(secret) < MIN_SECRET_LENGTH:
        raise SessionSecretError(
            f"{where} must hold at least {MIN_SECRET_LENGTH} characters "
            "(make one with: python3 -c 'import secrets; print(secrets.token_urlsafe(32))')."
        )
    return secret.encode("utf-8")


def secret_from_file(path: Path) -> bytes:
    """The secret kept in ``path``, made there first (mode 0600, atomically) when the file does not exist."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(partial, path)  # fails if another server was first: then its secret is the one
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return _checked(path.read_text(encoding="utf-8").strip(), str(path))


def load_session_secret(settings: Settings | None = None) -> bytes:
    """``MIGRANT_BOT_SESSION_SECRET``, else the secret file's (see the module docstring)."""
    settings = settings or load_settings()
    if settings.session_secret:
        return _checked(settings.session_secret, SECRET_VARIABLE)
    try:
        return secret_from_file(settings.session_secret_file)
    except OSError as error:
        raise SessionSecretError(f"{settings.session_secret_file}: {error.strerror}; set {SECRET_VARIABLE} instead.") from error
