"""The widget's static files and its one-file JavaScript bundle.

``widget.js`` as a page loads it is the vendored socket.io client followed
by the widget's own ``static/format.js`` (the reply text as DOM nodes) and
``static/widget.js``, all inside one function: the
client's UMD wrapper then sees a local ``module`` and keeps ``io`` to the
widget, so the host page gets no global ``io`` and an AMD loader on the host
page (``define``) is left alone. This is string concatenation of committed
files, done once per process, not a build step.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
CLIENT = STATIC_DIR / "vendor" / "socket.io.min.js"
WIDGET_SOURCE = STATIC_DIR / "widget.js"
FORMAT_SOURCE = STATIC_DIR / "format.js"

#: Files served as they are, by the name a page asks for, with their type.
STATIC_FILES: dict[str, str] = {
    "widget.css": "text/css; charset=utf-8",
    "demo.html": "text/html; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
    "socket.io-client.LICENSE": "text/plain; charset=utf-8",
}
_SOURCE_MAP = re.compile(r"^//# sourceMappingURL=.*$", re.MULTILINE)


@dataclass(frozen=True)
class Asset:
    """A file's bytes, type, a validator for caches, and the bytes gzipped once."""

    body: bytes
    content_type: str

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'

    @cached_property
    def gzipped(self) -> bytes:
        return gzip.compress(self.body, compresslevel=9, mtime=0)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def widget_bundle() -> Asset:
    """The socket.io client, the text renderer and the widget in one script (see the module docstring)."""
    client = _SOURCE_MAP.sub("", _read(CLIENT)).strip()
    text = (
        "/*! Migrant information assistant web widget; includes socket.io-client (MIT licence: widget/socket.io-client.LICENSE) */\n"
        "(function () {\nvar module = { exports: {} }, exports = module.exports, define;\n"
        f"{client}\nvar io = module.exports;\n{_read(FORMAT_SOURCE)}\n{_read(WIDGET_SOURCE)}\n}}());\n"
    )
    return Asset(text.encode("utf-8"), "application/javascript; charset=utf-8")


@cache
def static_file(name: str) -> Asset | None:
    """A file of ``STATIC_FILES`` by name, or None for any other name."""
    content_type = STATIC_FILES.get(name)
    if content_type is None:
        return None
    path = CLIENT.parent / name if name.endswith(".LICENSE") else STATIC_DIR / name
    return Asset(path.read_bytes(), content_type)
