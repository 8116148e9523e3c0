"""YAML reading with libyaml's C parser when PyYAML has it (about ten times faster).

The content pack is read on every start, every content check and every staff
save; the pure-Python parser takes over a second for it.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def safe_load(stream: str | bytes | IO[str] | IO[bytes]) -> Any:
    """Like ``yaml.safe_load`` (same safe types), with the C parser when available."""
    return yaml.load(stream, Loader=_LOADER)
