"""Password hashing with Argon2id (memory-hard), off the event loop."""

from __future__ import annotations

import asyncio
import os
from typing import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 200

# argon2-cffi's defaults are RFC 9106's second recommended profile: Argon2id,
# 64 MiB of memory, 3 passes, 4 lanes. The test servers lower the cost
# (MIGRANT_BOT_STAFF_ARGON2_MEMORY_KIB / _TIME_COST) to keep a loaded CI machine
# quick; a hash records its parameters, so verification works either way.
_hasher = PasswordHasher(
    time_cost=int(os.environ.get("MIGRANT_BOT_STAFF_ARGON2_TIME_COST", "3")),
    memory_cost=int(os.environ.get("MIGRANT_BOT_STAFF_ARGON2_MEMORY_KIB", "65536")),
)
# Verified when an e-mail is unknown, so that the answer takes as long as for a known one.
_DUMMY_HASH = _hasher.hash("not a password of anybody")


def password_problem(password: str, _: Callable[[str], str] = str) -> str | None:
    """Why a new password is not acceptable (in the UI language of ``_``), or None."""
    if len(password) < MIN_LENGTH:
        return _("The password needs at least %(count)d characters.") % {"count": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return _("The password may have at most %(count)d characters.") % {"count": MAX_LENGTH}
    return None


async def hash_password(password: str) -> str:
    """An Argon2id hash (encoded with its salt and parameters)."""
    return await asyncio.to_thread(_hasher.hash, password)


def _verify(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored``; None (unknown user) costs the same and fails."""
    return await asyncio.to_thread(_verify, stored, password)
