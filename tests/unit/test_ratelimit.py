"""The per-sender rate limit: a sliding window with bounded memory."""

from __future__ import annotations

import pytest

from bot.rasa_server.channels.ratelimit import SenderRateLimiter


def test_the_limit_is_per_sender_and_per_window():
    limiter = SenderRateLimiter(3, window_seconds=60)
    assert [limiter.allow("a", now=t) for t in (0, 1, 2, 3)] == [True, True, True, False]
    assert limiter.allow("b", now=3)  # another sender is not slowed down by "a"
    assert not limiter.allow("a", now=59.9)


def test_the_window_slides():
    """The oldest message leaving the window frees one place: not a fixed minute that resets."""
    limiter = SenderRateLimiter(3, window_seconds=60)
    for t in (0, 10, 20):
        assert limiter.allow("a", now=t)
    assert not limiter.allow("a", now=59)
    assert limiter.allow("a", now=60)  # the message of t=0 has left the window
    assert not limiter.allow("a", now=61)
    assert limiter.allow("a", now=70)


def test_refused_messages_do_not_count():
    """A sender who keeps writing is let through once a minute after their last allowed message, not never."""
    limiter = SenderRateLimiter(2, window_seconds=60)
    assert limiter.allow("a", now=0) and limiter.allow("a", now=1)
    for t in range(2, 60):
        assert not limiter.allow("a", now=t)
    assert limiter.allow("a", now=60.5)


def test_idle_senders_are_forgotten():
    limiter = SenderRateLimiter(5, window_seconds=60)
    for i in range(100):
        limiter.allow(f"sender-{i}", now=i * 0.1)
    assert len(limiter) == 100
    limiter.allow("late", now=200)
    assert len(limiter) == 1  # all the others were idle for a whole window


def test_memory_is_bounded_by_max_senders():
    limiter = SenderRateLimiter(5, window_seconds=60, max_senders=10)
    for i in range(1000):
        assert limiter.allow(f"sender-{i}", now=1.0)
    assert len(limiter) == 10
    # the most recent senders are the ones kept, with their counts
    for _ in range(4):
        assert limiter.allow("sender-999", now=2.0)
    assert not limiter.allow("sender-999", now=2.0)


def test_each_sender_keeps_at_most_limit_times():
    limiter = SenderRateLimiter(3, window_seconds=60)
    for t in range(1000):
        limiter.allow("a", now=t * 0.01)
    assert len(limiter._senders["a"]) == 3


def test_zero_turns_the_limit_off():
    limiter = SenderRateLimiter(0)
    assert all(limiter.allow("a", now=0) for _ in range(1000))
    assert len(limiter) == 0


def test_uses_the_clock_when_no_time_is_given():
    limiter = SenderRateLimiter(1)
    assert limiter.allow("a")
    assert not limiter.allow("a")


@pytest.mark.parametrize("kwargs", [{"limit": -1}, {"limit": 1, "window_seconds": 0}, {"limit": 1, "max_senders": 0}])
def test_bad_arguments_are_refused(kwargs):
    with pytest.raises(ValueError):
        SenderRateLimiter(**kwargs)


def test_setting_default_override_and_bad_value(monkeypatch):
    monkeypatch.delenv("MIGRANT_BOT_RATE_LIMIT_PER_MINUTE", raising=False)
    assert SenderRateLimiter.from_settings().limit == 30
    monkeypatch.setenv("MIGRANT_BOT_RATE_LIMIT_PER_MINUTE", "5")
    assert SenderRateLimiter.from_settings().limit == 5
    monkeypatch.setenv("MIGRANT_BOT_RATE_LIMIT_PER_MINUTE", "many")
    with pytest.raises(ValueError, match="MIGRANT_BOT_RATE_LIMIT_PER_MINUTE"):
        SenderRateLimiter.from_settings()
