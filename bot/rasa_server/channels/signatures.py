"""Checks that a webhook request comes from the platform, in constant time.

Rasa 3.6's connectors check too little: the Telegram one no secret, the
Facebook one only the old SHA-1 signature (compared with ``==``, answering
200 on failure). These checks are what the messenger channels use instead.
"""

from __future__ import annotations

import hashlib
import hmac

_META_PREFIX = "sha256="


def _same(expected: str, given: str) -> bool:
    # compare_digest needs bytes for non-ASCII input; a header may hold anything
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8", "surrogateescape"))


def meta_signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """Meta's ``X-Hub-Signature-256``: ``sha256=`` + HMAC-SHA256 of the raw body with the app secret."""
    if not app_secret or not header or not header.startswith(_META_PREFIX):
        return False
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return _same(expected, header[len(_META_PREFIX) :].strip().lower())


def meta_signature(app_secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value Meta sends for ``body`` (for tests and tools)."""
    return _META_PREFIX + hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def secret_token_valid(expected: str, header: str | None) -> bool:
    """Telegram's ``X-Telegram-Bot-Api-Secret-Token``: the ``secret_token`` given to ``setWebhook``."""
    return bool(expected) and header is not None and _same(expected, header)


def verify_token_valid(expected: str, given: str | None) -> bool:
    """Meta's ``hub.verify_token`` of the GET subscription check."""
    return bool(expected) and given is not None and _same(expected, given)


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """Graph API's ``appsecret_proof``: HMAC-SHA256 of the access token with the app secret.

    Sent with every Graph API call, so the calls keep working when the app
    requires it ("Require App Secret"), and a leaked token alone is useless.
    """
    return hmac.new(app_secret.encode("utf-8"), access_token.encode("utf-8"), hashlib.sha256).hexdigest()
