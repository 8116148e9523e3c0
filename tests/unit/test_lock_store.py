"""The lock store of endpoints.yml (bot/rasa_server/lock_store.py), against a throw-away redis-server.

Two stores on one Redis stand for two Rasa servers ("replicas") sharing the conversations.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import re
import socket
import time
import uuid

import pytest
import redis.asyncio
from rasa.core.lock_store import InMemoryLockStore, LockError, LockStore
from rasa.utils.endpoints import read_endpoint_config

from benchmarks import lock_race
from bot.core.settings import PREFIX, PROJECT_ROOT, SettingError, load_settings
from bot.rasa_server.lock_store import KEY_PREFIX, RedisUrlLockStore, UrlLockStore, shown_url
from tests.postgres import free_port
from tests.redis_server import redis_url  # noqa: F401 (a fixture)

LOCK_STORE_URL = PREFIX + "LOCK_STORE_URL"


@pytest.fixture
def conversation_id() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def replicas(redis_url, monkeypatch) -> tuple[UrlLockStore, UrlLockStore]:  # noqa: F811
    """The stores of two Rasa servers configured with the same Redis URL, as Rasa builds them."""
    monkeypatch.setenv(LOCK_STORE_URL, redis_url)
    stores = UrlLockStore(), UrlLockStore()
    assert all(isinstance(store.store, RedisUrlLockStore) for store in stores)
    return stores


@pytest.fixture
async def redis_client(redis_url):  # noqa: F811
    client = redis.asyncio.from_url(redis_url)
    yield client
    await client.close()


# --- exclusion


async def test_two_replicas_never_hold_one_conversation_at_once(replicas, redis_client, conversation_id):
    counter = 0
    spans: list[tuple[float, float]] = []

    async def handle(store: LockStore) -> None:
        nonlocal counter
        async with store.lock(conversation_id):
            entered, seen = time.monotonic(), counter
            await asyncio.sleep(0.005)  # a handler that awaits (the tracker store, the action server) between read and write
            counter = seen + 1
            spans.append((entered, time.monotonic()))

    await asyncio.gather(*(handle(replicas[n % 2]) for n in range(40)))
    assert counter == 40
    spans.sort()
    assert all(left <= entered for (_, left), (entered, _) in itertools.pairwise(spans)), "two handlers were inside at once"
    assert not await redis_client.exists(KEY_PREFIX + conversation_id)  # the last one freed it


def test_two_replicas_in_threads_of_their_own_never_overlap(redis_url):  # noqa: F811
    """Each "server" with its own event loop, as two processes would be (benchmarks/lock_race.py)."""
    tally = lock_race.race(RedisUrlLockStore, redis_url, rounds=3, messages=40, lifetime=5)
    assert (tally.overlaps, tally.errors, tally.stuck) == (0, 0, 0)


def test_rasas_own_redis_lock_store_lets_two_replicas_in_at_once(redis_url):  # noqa: F811
    """Why this store exists: Rasa 3.6's RedisLockStore under the same contention (figures: benchmarks/lock_race.py)."""
    for _ in range(10):  # a round overlapped 31 times in 40 (0 to 19 overlaps of 40 messages): ten clean rounds, about 1 in 10**6
        tally = lock_race.race(lock_race.rasa_store, redis_url, rounds=1, messages=40, lifetime=0.5)
        if tally.overlaps:
            break
    assert tally.overlaps > 0


async def test_conversations_do_not_wait_for_each_other(replicas, conversation_id):
    async def another_conversation() -> None:
        async with replicas[1].lock(uuid.uuid4().hex):
            pass

    async with replicas[0].lock(conversation_id):
        await asyncio.wait_for(another_conversation(), timeout=1)


# --- lifetime


async def test_a_killed_replicas_lock_frees_itself_after_its_lifetime(replicas, redis_client, conversation_id):
    key = KEY_PREFIX + conversation_id
    async with replicas[0].lock(conversation_id, lock_lifetime=0.5):
        assert 0 < await redis_client.pttl(key) <= 500  # every lock carries its lifetime
    # a replica killed (SIGKILL) while it held the lock: the key stays, nobody releases it
    await redis_client.set(key, "held by a replica that was killed", px=500)
    started = time.monotonic()
    async with replicas[1].lock(conversation_id, lock_lifetime=5):
        waited = time.monotonic() - started
    assert 0.3 < waited < 1.5


async def test_a_holder_whose_lock_expired_does_not_free_its_successors(replicas, redis_client, conversation_id, caplog):
    key = KEY_PREFIX + conversation_id
    late = replicas[0].lock(conversation_id, lock_lifetime=0.3)
    await late.__aenter__()
    await asyncio.sleep(0.4)  # its message takes longer than its lifetime
    async with replicas[1].lock(conversation_id, lock_lifetime=5):
        successors = await redis_client.get(key)
        with caplog.at_level(logging.WARNING, logger="bot.rasa_server.lock_store"):
            await late.__aexit__(None, None, None)  # no exception: the late message was handled
        assert await redis_client.get(key) == successors
        with pytest.raises(LockError):
            async with replicas[0].lock(conversation_id, lock_lifetime=0.2):
                pass
    assert "lock expired" in caplog.text


async def test_waiting_longer_than_the_lifetime_is_a_lock_error(replicas, conversation_id):
    async with replicas[0].lock(conversation_id, lock_lifetime=5):
        started = time.monotonic()
        with pytest.raises(LockError, match="Could not acquire lock"):
            async with replicas[1].lock(conversation_id, lock_lifetime=0.3):
                pass
        assert 0.2 < time.monotonic() - started < 1


# --- configuration


async def test_without_a_url_the_locks_are_rasas_in_memory_ones(monkeypatch):
    monkeypatch.delenv(LOCK_STORE_URL, raising=False)
    store = UrlLockStore()
    assert type(store.store) is InMemoryLockStore
    for _ in range(2):  # one after the other
        async with store.lock("first"):
            async with store.lock("second"):  # another conversation inside one
                assert store.get_lock("first") is not None and store.get_lock("second") is not None  # Rasa's tickets
    assert store.get_lock("first") is None and store.get_lock("second") is None  # Rasa's clean-up ran
    inside, overlaps = 0, 0

    async def handle() -> None:
        nonlocal inside, overlaps
        async with store.lock("first", wait_time_in_seconds=0.01):
            overlaps, inside = overlaps + (inside > 0), inside + 1
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(handle() for _ in range(10)))
    assert overlaps == 0


def test_rasa_builds_this_store_from_endpoints_yml(monkeypatch):
    monkeypatch.delenv(LOCK_STORE_URL, raising=False)
    monkeypatch.setenv(PREFIX + "ACTIONS_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv(PREFIX + "ACTIONS_TOKEN", "x")
    store = LockStore.create(read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "lock_store"))
    assert isinstance(store, UrlLockStore) and isinstance(store.store, InMemoryLockStore)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis://", "redis://:secret@127.0.0.1:port/0", "redis://:secret@127.0.0.1/zero"],
)
def test_a_bad_url_is_refused_naming_the_variable_not_the_password(monkeypatch, url):
    monkeypatch.setenv(LOCK_STORE_URL, url)
    with pytest.raises(SettingError, match=LOCK_STORE_URL) as error:
        UrlLockStore()
    assert "secret" not in str(error.value)


def test_the_password_stays_out_of_the_settings_repr_and_the_messages(monkeypatch):
    monkeypatch.setenv(LOCK_STORE_URL, "rediss://user:secret@redis.example:6380/2?ssl_cert_reqs=required")
    assert load_settings().rasa_server.lock_store_url.startswith("rediss://") and "secret" not in repr(load_settings())
    assert shown_url(load_settings().rasa_server.lock_store_url) == "rediss://redis.example:6380/2"


# --- Redis down


async def test_an_unreachable_redis_is_a_quick_lock_error_naming_it_without_the_password(monkeypatch, conversation_id):
    port = free_port()  # nothing listens there
    monkeypatch.setenv(LOCK_STORE_URL, f"redis://:secret@127.0.0.1:{port}/0")
    started = time.monotonic()
    with pytest.raises(LockError, match=re.escape(f"redis://127.0.0.1:{port}/0 cannot be used")) as error:
        async with UrlLockStore().lock(conversation_id):
            pass
    assert time.monotonic() - started < 1 and "secret" not in str(error.value)


async def test_a_redis_that_does_not_answer_is_a_lock_error_within_seconds(conversation_id):
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        store = RedisUrlLockStore(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        with pytest.raises(LockError, match="cannot be used"):
            async with store.lock(conversation_id):
                pass
    assert time.monotonic() - started < 5


async def test_a_refused_password_is_a_lock_error_without_the_password(redis_url, conversation_id):  # noqa: F811
    wrong = redis_url.replace("redis://:", "redis://:not-", 1)
    with pytest.raises(LockError, match=re.escape(f"{shown_url(redis_url)} cannot be used")) as error:
        async with RedisUrlLockStore(wrong).lock(conversation_id):
            pass
    assert "not-" not in str(error.value)
