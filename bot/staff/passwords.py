"""Password hashing with Argon2id (memory-hard), off the event loop."""

from __future__ import annotations

import asyncio
import functools
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.core.settings import load_settings

MIN_LENGTH = 12
MAX_LENGTH = 200

# argon2-cffi's defaults are RFC 9106's second recommended profile: Argon2id,
# 64 MiB of memory, 3 passes, 4 lanes. The test servers lower the cost
# (MIGRANT_BOT_STAFF_ARGON2_MEMORY_KIB / _TIME_COST in bot/core/settings.py) to
# keep a loaded CI machine quick; a hash records its parameters, so
# verification works either way. Read at the first use, not at import.


@functools.lru_cache(maxsize=1)
def _hashing() -> tuple[PasswordHasher, str]:
    """The hasher, and a hash verified when an e-mail is unknown (so that the answer takes as long as for a known one)."""
    staff = load_settings().staff
    hasher = PasswordHasher(time_cost=staff.argon2_time_cost, memory_cost=staff.argon2_memory_kib)
    return hasher, hasher.hash("not a password of anybody")


def password_problem(password: str, _: Callable[[str], str] = str) -> str | None:
    """Why a new password is not acceptable (in the UI language of ``_``), or None."""
    if len(password) < MIN_LENGTH:
        return _("The password needs at least %(count)d characters.") % {"count": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return _("The password may have at most %(count)d characters.") % {"count": MAX_LENGTH}
    return None


async def hash_password(password: str) -> str:
    """An Argon2id hash (encoded with its salt and parameters)."""
    return await asyncio.to_thread(_hash, password)


def _hash(password: str) -> str:
    return _hashing()[0].hash(password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        hasher, dummy = _hashing()
        return hasher.verify(stored or dummy, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; None (unknown user) costs the same and fails."""
    return await asyncio.to_thread(_verify, stored, password)
