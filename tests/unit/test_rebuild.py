"""Values rebuilt in the background: nobody waits for a rebuild after a publish, and a broken build changes nothing."""

from __future__ import annotations

import threading
import time

import pytest

from bot.core.content import store as store_module
from bot.core.content.rebuild import Rebuilt
from bot.core.content.store import ContentStore


def test_the_first_build_is_waited_for_and_kept_while_the_key_stays():
    builds: list[str] = []
    value = Rebuilt(lambda key: builds.append(key) or key.upper(), "test")
    assert value.get("a") == "A" and value.get("a") == "A"
    assert builds == ["a"]


def test_a_new_key_is_built_in_the_background_while_the_old_value_answers():
    release = threading.Event()

    def build(key: str) -> str:
        if key == "b":
            assert release.wait(5)
        return key.upper()

    value = Rebuilt(build, "test")
    assert value.get("a") == "A"
    started = time.monotonic()
    assert value.get("b") == "A" and value.get("b") == "A"  # the caller does not wait for the slow build
    assert time.monotonic() - started < 1
    release.set()
    value.settle()
    assert value.get("b") == "B"


def test_a_failed_rebuild_keeps_the_last_good_value_and_is_not_retried_for_the_same_key(caplog):
    calls: list[str] = []

    def build(key: str) -> str:
        calls.append(key)
        if key == "broken":
            raise ValueError("bad edit")
        return key.upper()

    value = Rebuilt(build, "test")
    value.get("good")
    value.get("broken")
    value.settle()
    assert value.get("broken") == "GOOD" and calls == ["good", "broken"]
    assert "could not be rebuilt" in caplog.text
    value.get("fixed")
    value.settle()
    assert value.get("fixed") == "FIXED"


def test_only_the_newest_key_lands_when_keys_change_during_a_build():
    gates = {"b": threading.Event(), "c": threading.Event()}

    def build(key: str) -> str:
        if key in gates:
            assert gates[key].wait(5)
        return key.upper()

    value = Rebuilt(build, "test")
    value.get("a")
    value.get("b")
    value.get("c")
    gates["c"].set()
    value.settle()
    gates["b"].set()
    time.sleep(0.1)
    assert value.get("c") == "C"


def test_a_failing_first_build_raises_and_is_tried_again():
    attempts: list[int] = []

    def build(key: str) -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("not there yet")
        return key

    value = Rebuilt(build, "test")
    with pytest.raises(OSError):
        value.get("a")
    assert value.get("a") == "a"


def test_the_store_reads_a_changed_pack_in_the_background(fixture_data_copy, monkeypatch):
    settings = fixture_data_copy  # a copy of the tests' own pack
    monkeypatch.setattr(store_module, "_CHECK_EVERY_SECONDS", 0.0)
    store = ContentStore(settings)
    before = store.pack()
    topic = settings.pack_dir / "topics" / "taxes.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title:", "title: ", 1), encoding="utf-8")
    assert store.pack() is before  # the message that notices the change is answered at once, with what was there
    store.settle()
    assert store.pack() is not before
