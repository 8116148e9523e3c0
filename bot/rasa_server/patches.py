"""Two costs of Rasa 3.6's server, found by benchmarks/load.py, removed without changing replies.

1. Every call to the action server ends in ``RemoteAction._validate_action_result``,
   which calls ``jsonschema.validate``. That function checks Rasa's large event
   schema against the JSON-Schema meta-schema and builds a new validator on
   every call: about 70 ms of CPU per action call, half of the Rasa server's
   time under load (docs/benchmarks.md). Here the schema is checked and the
   validator built once; each reply is still validated against the same
   schema and a bad reply raises the same ``ValidationError``.
2. Rasa's SQL tracker store opens a new SQLite connection for every read and
   write (SQLAlchemy 1.4 gives file databases no pool) and commits each turn
   with ``synchronous=FULL`` and a rollback journal. ``fast_sqlite_engine``
   keeps connections open in a pool and uses write-ahead logging with
   ``synchronous=NORMAL``: the database stays consistent after a crash; a
   power cut can lose the last turns, which only the conversation history
   holds. PostgreSQL is not touched.

3. Reading a conversation back turns each stored event into an ``Event`` with
   ``Event.resolve_by_type``, which walks every subclass of ``Event`` for every
   event (7% of the server's time). ``resolve_event_type`` remembers the class
   found for each type name and asks Rasa for names it has not seen.

Every change this project makes to Rasa's own behaviour, or that leans on a
private name of Rasa or its socket.io libraries, is listed in ``PRIVATE_USES``
with the module that does it and the test that proves Rasa's behaviour is
kept. They were checked against the versions in ``CHECKED_VERSIONS`` only:
``check_versions()`` refuses to start on any other (a new Rasa may rename
what these lean on, and would fail quietly rather than loudly). The tracker
store and the socket.io channel call it when they are built; ``install()``
calls it before patching.

``install()`` runs once at the Rasa server's start (``bot/rasa_server/serve.py``),
before Rasa loads anything; it is idempotent. Started any other way (``rasa run``),
the server is only slower: every patch keeps Rasa's results.
"""

from __future__ import annotations

import functools
import sqlite3
import time
from importlib import metadata
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import QueuePool

#: The distributions whose private names this project uses, at the versions they were checked against.
CHECKED_VERSIONS = {"rasa": "3.6.21", "python-socketio": "5.9.0", "python-engineio": "4.7.1"}

#: What leans on a private name (where; the test proving Rasa's behaviour is kept).
PRIVATE_USES = (
    ("RemoteAction._validate_action_result replaced", "patches.validate_action_result", "tests/unit/test_patches.py"),
    ("Event.resolve_by_type replaced", "patches.resolve_event_type", "tests/unit/test_patches.py"),
    (
        "SQLTrackerStore._retrieve/save overridden on its private SQL helpers",
        "tracker_cache.SessionCachingSQLTrackerStore",
        "tests/unit/test_tracker_cache.py",
    ),
    ("SQLTrackerStore._stream_new_events overridden", "tracker_store.DatabaseUrlTrackerStore", "tests/e2e/test_event_broker.py"),
    (
        "engineio.AsyncServer._cors_allowed_origins/_make_response/_bad_request/_close_session, "
        "socketio.AsyncServer._engineio_server_class",
        "channels.socketio.HardenedEngineIO, OriginCheckingServer",
        "tests/e2e/security/ and tests/unit/test_widget.py",
    ),
)


class UncheckedVersionError(SystemExit):
    """A library whose private names this project uses is not at a version they were checked against."""


@functools.cache
def _installed_versions() -> dict[str, str]:
    """The installed versions of ``CHECKED_VERSIONS``' libraries, read once per process (several places check them)."""
    return {name: metadata.version(name) for name in CHECKED_VERSIONS}


def check_versions(installed: dict[str, str] | None = None) -> None:
    """Refuses to go on unless every library of ``CHECKED_VERSIONS`` is at its checked version."""
    found = installed if installed is not None else _installed_versions()
    wrong = [f"{name} {found.get(name)} (checked: {version})" for name, version in CHECKED_VERSIONS.items() if found.get(name) != version]
    if wrong:
        raise UncheckedVersionError(
            "bot/rasa_server/patches.py was checked against other versions: "
            + ", ".join(wrong)
            + ". Re-check each entry of PRIVATE_USES against the new version, run its test, then update CHECKED_VERSIONS."
        )


_VALIDATION_HINT = (
    ". Failed to validate Action server response from API, "
    "make sure your response from the Action endpoint is valid. "
    "For more information about the format visit "
)


@functools.lru_cache(maxsize=1)
def _action_result_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """``RemoteAction._validate_action_result`` with a validator built once."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_action_result_validator().iter_errors(result))
    if error is not None:
        error.message += f"{_VALIDATION_HINT}{DOCS_BASE_URL}/custom-actions"
        raise error
    return True


_event_classes: dict[str, type] = {}
_rasa_resolve_by_type: Any = None


def resolve_event_type(type_name: str, default: type | None = None) -> type | None:
    """``Event.resolve_by_type`` with the answer for each known type name remembered."""
    found = _event_classes.get(type_name)
    if found is None:
        found = _rasa_resolve_by_type(type_name, default)
        if found is not None and getattr(found, "type_name", None) == type_name:
            _event_classes[type_name] = found
    return found


def install() -> None:
    """Replaces Rasa's per-call schema check and event class lookup by the cached ones."""
    global _rasa_resolve_by_type
    check_versions()
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.events import Event

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
    if _rasa_resolve_by_type is None:
        _rasa_resolve_by_type = Event.resolve_by_type
        Event.resolve_by_type = staticmethod(resolve_event_type)  # type: ignore[method-assign,assignment]


def fast_sqlite_engine(url: URL | str) -> Engine:
    """A SQLite engine with pooled connections, write-ahead log and ``synchronous=NORMAL``."""
    # one event loop thread uses the pool, but Rasa may close sessions from another thread
    engine = create_engine(url, poolclass=QueuePool, pool_size=2, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        _use_wal(cursor)
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


_WAL_WAIT_S = 10.0
_WAL_PAUSE_S = 0.1


def _use_wal(cursor: Any) -> None:
    """Switches the database file to write-ahead logging, waiting up to 10 s while another process holds it.

    SQLite refuses a change of journal mode at once while another connection
    writes ("database is locked": the busy timeout does not apply to it). The
    blue and green servers start together on a new ``events.db``; the second
    failed to start (seen in CI). The mode is kept in the file, so once one
    process has set it, the others find it set and change nothing.
    """
    deadline = time.monotonic() + _WAL_WAIT_S
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")  # an in-memory database keeps "memory", as before
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
        time.sleep(_WAL_PAUSE_S)
