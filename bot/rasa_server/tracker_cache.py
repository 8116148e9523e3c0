"""A SQL tracker store that keeps the latest session of recent conversations in memory.

Rasa's ``SQLTrackerStore`` reads a conversation back from the database on
every message (one query, a JSON decode per event) and, on every save,
counts the stored events with another query to find the new ones. Under load
that was a third of the Rasa server's time (docs/benchmarks.md). This store
keeps, for the most recent conversations, the rows that Rasa's query for the
latest session would return; it writes every event to the database exactly
as Rasa does, and reads from the database only for conversations it does not
hold.

It assumes one Rasa server per database, as with SQLite: a second server
writing the same conversations would not be seen. A conversation deleted by
someone else (the staff app's deletion or retention job, docs/privacy.md) is
read again from the database at the latest ``CACHE_SECONDS`` after it was
last used here, so the cache never keeps a deleted conversation alive. ``enable_session_cache``
turns it on; until then the store behaves exactly like Rasa's.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import OrderedDict
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

#: (timestamp, type name, serialised event) of one stored event
Row = tuple[float | None, str, str]
#: A conversation unused this long is read from the database again (see the module docstring).
CACHE_SECONDS = 600.0


def latest_session(rows: list[Row]) -> list[Row]:
    """The rows Rasa's query for the latest session returns: from the last ``session_started`` on.

    The query compares timestamps (``timestamp >= latest session start``, or every
    row when there is no session start), so the same comparison is used here.
    """
    starts = [timestamp for timestamp, type_name, _ in rows if type_name == SessionStarted.type_name and timestamp is not None]
    if not starts:
        return rows
    start = max(starts)
    return [row for row in rows if row[0] is not None and row[0] >= start]


class SessionCachingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` with an in-memory copy of the latest session of recent conversations."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: OrderedDict[str, list[Row]] = OrderedDict()
        self._used_at: dict[str, float] = {}
        self._cache_size = 0

    def enable_session_cache(self, conversations: int = 2000) -> None:
        """Keeps the latest session of up to ``conversations`` conversations in memory."""
        self._cache_size = conversations

    def forget(self, sender_id: str) -> None:
        """Drops the in-memory copy of a conversation (it was deleted from the database)."""
        self._sessions.pop(sender_id, None)
        self._used_at.pop(sender_id, None)

    def _remember(self, sender_id: str, rows: list[Row]) -> None:
        self._sessions[sender_id] = rows
        self._sessions.move_to_end(sender_id)
        self._used_at[sender_id] = time.monotonic()
        while len(self._sessions) > self._cache_size:
            oldest, _ = self._sessions.popitem(last=False)
            self._used_at.pop(oldest, None)

    def _session_rows(self, sender_id: str) -> list[Row]:
        rows = self._sessions.get(sender_id)
        if rows is not None and time.monotonic() - self._used_at.get(sender_id, 0.0) < CACHE_SECONDS:
            self._sessions.move_to_end(sender_id)
            self._used_at[sender_id] = time.monotonic()
            return rows
        with self.session_scope() as session:
            query = self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
            rows = [(event.timestamp, event.type_name, event.data) for event in query.all()]
        self._remember(sender_id, rows)
        return rows

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> DialogueStateTracker | None:
        if not self._cache_size or fetch_events_from_all_sessions:
            return await super()._retrieve(sender_id, fetch_events_from_all_sessions)
        events = [json.loads(data) for _, _, data in self._session_rows(sender_id)]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Stores the new events exactly as ``SQLTrackerStore.save`` does, and remembers them."""
        if not self._cache_size:
            return await super().save(tracker)
        await self.stream_events(tracker)
        stored = self._session_rows(tracker.sender_id)
        new_rows: list[Row] = []
        with self.session_scope() as session:
            for event in itertools.islice(tracker.events, len(stored), len(tracker.events)):
                data = event.as_dict()
                serialised = json.dumps(data)
                session.add(
                    self.SQLEvent(
                        sender_id=tracker.sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=serialised,
                    )
                )
                new_rows.append((data.get("timestamp"), event.type_name, serialised))
            session.commit()
        self._remember(tracker.sender_id, latest_session([*stored, *new_rows]))
