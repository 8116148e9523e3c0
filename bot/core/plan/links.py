"""A link to a person's plan for the move that holds no personal data and expires.

The interview's answers (citizenship group, purpose, city, family, when)
say a good deal about a person, so they never appear in the address: the
link's token is the answers and the language encrypted and authenticated
with Fernet (AES-128-CBC and HMAC-SHA256, with the time it was made), under
a key derived from the server's session secret
(``bot.core.session_keys.load_session_secret``) by HKDF-SHA256 with the
fixed context ``CONTEXT``. Nothing is stored on the server: every server
that shares the secret opens every link, and a new secret ends them all.

A token is at most a week old (``PLAN_LINK_TTL_SECONDS``); a tampered,
expired or malformed one, or one naming a question or option the plan no
longer has, reads as None (the page then says how to get a new link).

The payload is compact, ``[FORMAT, lang, answer per QUESTIONS...]`` as JSON,
so that a token stays near 200 characters (``MAX_TOKEN_LENGTH`` at most);
Fernet's base64 padding is left out, so the token is only letters, digits,
``-`` and ``_``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from bot.core.plan.model import CITY_QUESTION, QUESTIONS, PlanContent

#: How long a link to a plan works.
PLAN_LINK_TTL_SECONDS = 7 * 24 * 3600
#: The HKDF context: a key for plan links is no other key made from the same secret.
CONTEXT = b"migrant-bot plan links"
#: The payload's layout version; a token of another layout is not read.
FORMAT = 1
#: Longer tokens are not even decrypted (a real one is far shorter).
MAX_TOKEN_LENGTH = 400
#: The city question's answer when the person is not in Latvia yet (``actions.routing.ABROAD``).
ABROAD = "abroad"

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")
_LANG = re.compile(r"^[a-z]{2,3}$")
_VALUE = re.compile(r"^[a-z0-9_-]{1,64}$")


def _fernet(secret: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def _payload(answers: Mapping[str, str | None], lang: str) -> bytes:
    unknown = sorted(set(answers) - set(QUESTIONS))
    if unknown:
        raise ValueError(f"not questions of the plan: {unknown}")
    if not _LANG.match(lang):
        raise ValueError(f"not a language code: {lang!r}")
    values = [answers.get(question) for question in QUESTIONS]
    for value in values:
        if value is not None and not (isinstance(value, str) and _VALUE.match(value)):
            raise ValueError(f"not an option id: {value!r}")
    return json.dumps([FORMAT, lang, *values], separators=(",", ":")).encode("ascii")


def plan_token(answers: Mapping[str, str | None], lang: str, secret: bytes, at_time: int | None = None) -> str:
    """The token of a link to the plan for ``answers`` in ``lang``: encrypted, URL-safe, no padding.

    ``at_time`` (seconds since the epoch) makes a token as if at that time
    (tests of expiry); the current time otherwise. Raises ValueError for a
    question that is not one of ``QUESTIONS`` or a value that is not an id.
    """
    fernet, payload = _fernet(secret), _payload(answers, lang)
    token = fernet.encrypt(payload) if at_time is None else fernet.encrypt_at_time(payload, at_time)
    return token.decode("ascii").rstrip("=")


def _valid_answer(plan: PlanContent, question_id: str, value: str | None, cities: Collection[str] | None) -> bool:
    if value is None:
        return True
    try:
        question = plan.question(question_id)
    except KeyError:
        return False
    if value in {option.id for option in question.options}:
        return True
    # the city is any place of the directory (the largest ones are buttons, the others typed), or "abroad";
    # without the directory's places, any id
    return question_id == CITY_QUESTION and (value == ABROAD or cities is None or value in cities)


def _answers(data: Any, plan: PlanContent | None, cities: Collection[str] | None) -> tuple[dict[str, str | None], str] | None:
    if not isinstance(data, list) or len(data) != 2 + len(QUESTIONS) or data[0] != FORMAT:
        return None
    lang, values = data[1], data[2:]
    if not isinstance(lang, str) or not _LANG.match(lang):
        return None
    if any(value is not None and not (isinstance(value, str) and _VALUE.match(value)) for value in values):
        return None
    answers: dict[str, str | None] = dict(zip(QUESTIONS, values, strict=True))  # the length was checked
    if plan is not None and not all(_valid_answer(plan, q, v, cities) for q, v in answers.items()):
        return None
    return answers, lang


def _opened(token: str, secret: bytes, ttl_seconds: int | None, now: int | None) -> Any:
    """The token's payload, or None when the token is not one of ours (or, with ``ttl_seconds``, is too old)."""
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH or not _TOKEN.match(token):
        return None
    padded = token + "=" * (-len(token) % 4)
    fernet = _fernet(secret)
    try:
        if ttl_seconds is None:
            # Fernet checks the age only with a ttl: decrypt_at_time needs one, decrypt without one skips the check
            raw = fernet.decrypt(padded)
        else:
            raw = fernet.decrypt(padded, ttl=ttl_seconds) if now is None else fernet.decrypt_at_time(padded, ttl_seconds, now)
        return json.loads(raw)
    except (InvalidToken, ValueError):  # ValueError: JSON that is not JSON (a payload we never wrote)
        return None


def read_plan_token(
    token: str,
    secret: bytes,
    ttl_seconds: int = PLAN_LINK_TTL_SECONDS,
    plan: PlanContent | None = None,
    cities: Collection[str] | None = None,
    now: int | None = None,
) -> tuple[dict[str, str | None], str] | None:
    """The answers (question id -> option id or None) and language of a token; None when it cannot be trusted or used.

    None for a token that was changed, made with another secret, is older
    than ``ttl_seconds``, is not a token at all, or (with ``plan``) names an
    option the plan does not have. The city question's answer may also be
    ``"abroad"`` or any city id (with ``cities``, one of those). ``now``
    (seconds since the epoch) reads as at that time (tests); the current
    time otherwise.
    """
    data = _opened(token, secret, ttl_seconds, now)
    return None if data is None else _answers(data, plan, cities)


def expired_plan_token_lang(token: str, secret: bytes, ttl_seconds: int = PLAN_LINK_TTL_SECONDS, now: int | None = None) -> str | None:
    """The language of a genuine token that is too old (to say "expired" in it); None for any other token.

    Only a token this server's secret made can be opened, so a changed or
    foreign token is never taken for an expired one.
    """
    if _opened(token, secret, ttl_seconds, now) is not None:
        return None
    data = _opened(token, secret, None, None)
    read = _answers(data, None, None) if data is not None else None
    return read[1] if read else None
