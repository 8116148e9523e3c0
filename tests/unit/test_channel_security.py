"""Channels: who may post, which channels are on, sender ids, the once-only store, session and client keys."""

from __future__ import annotations

import hashlib
import hmac
import stat
import threading

import pytest

from bot.core.session_keys import SessionSecretError, key_matches, load_session_secret, secret_from_file, session_key
from bot.core.settings import load_settings
from bot.rasa_server.channels.config import ChannelConfigError, channel_settings, channel_states
from bot.rasa_server.channels.rest import CLIENT_SEPARATOR, RestClients, RestKeysError, _validate, conversation_id
from bot.rasa_server.channels.seen import SeenUpdates
from bot.rasa_server.channels.senders import is_reserved, namespaced, platform_user_id
from bot.rasa_server.channels.signatures import (
    appsecret_proof,
    meta_signature,
    meta_signature_valid,
    secret_token_valid,
    verify_token_valid,
)
from bot.rasa_server.channels.socketio import granted_session_id, short_origin
from bot.rasa_server.channels.telegram import TelegramInput
from bot.rasa_server.channels.widget import privacy_page

BODY = b'{"object":"page","entry":[{"id":"1","messaging":[]}]}'
TELEGRAM_ENV = {"MIGRANT_BOT_TELEGRAM_TOKEN": "123:abc", "MIGRANT_BOT_TELEGRAM_SECRET": "s3cret_-x"}


# --- signatures


def test_meta_signature_of_the_raw_body_with_the_app_secret_passes():
    assert meta_signature_valid("app-secret", BODY, meta_signature("app-secret", BODY))
    # upper-case hex is the same signature
    assert meta_signature_valid("app-secret", BODY, "sha256=" + meta_signature("app-secret", BODY)[7:].upper())


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "sha256=",
        meta_signature("another-secret", BODY),
        meta_signature("app-secret", BODY + b" "),  # the body was changed
        "sha1=" + meta_signature("app-secret", BODY)[7:],  # the old scheme Rasa's connector checks
        meta_signature("app-secret", BODY)[7:],  # no prefix
        "sha256=ünïcödé",
    ],
)
def test_meta_signature_fails_when_forged_missing_or_for_another_body(header):
    assert not meta_signature_valid("app-secret", BODY, header)


def test_meta_signature_needs_a_secret():
    assert not meta_signature_valid("", BODY, meta_signature("", BODY))


@pytest.mark.parametrize(
    ("header", "valid"), [("s3cret", True), ("s3cre", False), ("s3cret ", False), (None, False), ("", False), ("сікрет", False)]
)
def test_telegram_secret_token(header, valid):
    assert secret_token_valid("s3cret", header) is valid


def test_verify_token():
    assert verify_token_valid("tok", "tok")
    assert not verify_token_valid("tok", None) and not verify_token_valid("", "") and not verify_token_valid("tok", "toK")


def test_appsecret_proof_is_hmac_sha256_of_the_token():
    # reference: printf token | openssl dgst -sha256 -hmac secret
    assert appsecret_proof("token", "secret") == "e941110e3d2bfe82621f0e3e1434730d7305d106c5f68c87165d0b27a4611a4a"


# --- switched on by the environment


def test_channels_are_off_without_variables():
    assert channel_states({}) == {"telegram": False, "messenger": False, "whatsapp": False}


def test_a_channel_with_all_variables_is_on_with_the_default_api():
    settings = channel_settings("telegram", TELEGRAM_ENV)
    assert settings is not None and settings["TELEGRAM_TOKEN"] == "123:abc"
    assert settings.api_url == "https://api.telegram.org"
    assert (
        channel_settings("telegram", {**TELEGRAM_ENV, "MIGRANT_BOT_TELEGRAM_API_URL": "http://127.0.0.1:9/tg/"}).api_url
        == "http://127.0.0.1:9/tg"
    )


def test_a_partial_configuration_names_the_missing_variable():
    env = {"MIGRANT_BOT_WHATSAPP_TOKEN": "t", "MIGRANT_BOT_WHATSAPP_APP_SECRET": "s"}
    with pytest.raises(ChannelConfigError) as error:
        channel_states(env)
    assert "MIGRANT_BOT_WHATSAPP_PHONE_NUMBER_ID" in str(error.value) and "MIGRANT_BOT_WHATSAPP_VERIFY_TOKEN" in str(error.value)
    assert "MIGRANT_BOT_WHATSAPP_TOKEN, " not in str(error.value).split("unset")[0]


@pytest.mark.parametrize(
    "env",
    [
        {**TELEGRAM_ENV, "MIGRANT_BOT_TELEGRAM_SECRET": "has spaces"},
        {**TELEGRAM_ENV, "MIGRANT_BOT_TELEGRAM_SECRET": "x" * 257},
        {**TELEGRAM_ENV, "MIGRANT_BOT_TELEGRAM_API_URL": "api.telegram.org"},
    ],
)
def test_invalid_values_stop_the_start(env):
    with pytest.raises(ChannelConfigError):
        channel_settings("telegram", env)


def test_an_off_channel_has_no_routes(monkeypatch):
    for name in TELEGRAM_ENV:
        monkeypatch.delenv(name, raising=False)
    channel = TelegramInput.from_credentials(None)
    assert channel.get_output_channel() is None
    assert not channel.blueprint(lambda message: None)._future_routes


def test_an_on_channel_has_its_webhook(monkeypatch):
    for name, value in TELEGRAM_ENV.items():
        monkeypatch.setenv(name, value)
    routes = TelegramInput.from_credentials(None).blueprint(lambda message: None)._future_routes
    assert {(r.uri, method) for r in routes for method in r.methods} >= {("/webhook", "POST")}


# --- sender ids


def test_sender_ids_are_namespaced():
    assert namespaced("telegram", "42") == "telegram:42"
    assert platform_user_id("whatsapp", "whatsapp:3712") == "3712"


@pytest.mark.parametrize("sender", ["telegram:1", "TELEGRAM:1", "messenger:x", "whatsapp:371", "WhatsApp:"])
def test_rest_refuses_messenger_prefixes(sender):
    assert is_reserved(sender)
    assert "prefix" in (_validate({"sender": sender, "message": "hi"}) or "")


@pytest.mark.parametrize("sender", ["me", "user:1", "telegram", "my-telegram:1", "web:telegram:1", "a.", "_1", "..x"])
def test_rest_keeps_other_senders(sender):
    assert _validate({"sender": sender, "message": "hi"}) is None


@pytest.mark.parametrize("sender", [".", "..", "...", "_", "-", "@", "+:.", "a\n", "a~b", "a b", "", "x" * 129])
def test_rest_senders_need_a_letter_or_digit_and_nothing_else(sender):
    """Senders like "." and ".." cannot be addressed in the tracker API's URLs; "~" is the client separator; "$" let a final newline in."""
    assert "sender" in (_validate({"sender": sender, "message": "hi"}) or "")


# --- REST client keys

KEY_A = "a" * 16 + "-key-of-backend-a"
KEY_B = "b" * 16 + "-key-of-backend-b"


def test_rest_keys_unset_means_an_open_channel():
    assert RestClients.parse("") is None and RestClients.parse(" , ") is None
    assert conversation_id(None, "user-1") == "user-1"


def test_rest_keys_name_the_client_of_a_bearer_key():
    clients = RestClients.parse(f"city:{KEY_A}, ngo : {KEY_B}")
    assert clients.client_for(f"Bearer {KEY_A}") == "city"
    assert clients.client_for(f"bearer  {KEY_B} ") == "ngo"
    assert conversation_id("ngo", "user-1") == f"ngo{CLIENT_SEPARATOR}user-1"


@pytest.mark.parametrize(
    "header", [None, "", KEY_A, f"Basic {KEY_A}", f"Bearer {KEY_A[:-1]}", f"Bearer {KEY_A}x", "Bearer", f"Bearer {KEY_A}ü", "Bearer ключ"]
)
def test_rest_keys_refuse_anything_but_a_listed_key(header):
    assert RestClients.parse(f"city:{KEY_A}").client_for(header) is None


def test_the_client_separator_is_not_allowed_in_a_sender():
    assert _validate({"sender": f"city{CLIENT_SEPARATOR}user", "message": "hi"}) is not None


@pytest.mark.parametrize(
    "raw",
    [
        "city",  # no key
        "city:short",  # too short to be a secret
        f":{KEY_A}",  # no name
        f"the city:{KEY_A}",  # not a name
        f"city:{KEY_A},city:{KEY_B}",  # a name twice
        f"city:{KEY_A},ngo:{KEY_A}",  # a key twice
        f"city:{'ķ' * 20}",  # not ASCII
    ],
)
def test_bad_rest_keys_stop_the_start_with_the_variable_named(raw):
    with pytest.raises(RestKeysError, match="MIGRANT_BOT_REST_KEYS"):
        RestClients.parse(raw)


def test_rest_keys_are_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("MIGRANT_BOT_REST_KEYS", f"city:{KEY_A}")
    assert RestClients.parse(load_settings().rest_keys).client_for(f"Bearer {KEY_A}") == "city"
    assert KEY_A not in repr(load_settings())  # a logged settings object does not show the keys


# --- socket.io session keys

SECRET = b"s" * 40


def test_session_key_is_hmac_sha256_of_the_id():
    assert session_key(SECRET, "abc") == hmac.new(SECRET, b"abc", hashlib.sha256).hexdigest()
    assert key_matches(SECRET, "abc", session_key(SECRET, "abc"))


@pytest.mark.parametrize("key", [None, "", 42, session_key(SECRET, "abd"), session_key(b"t" * 40, "abc"), "é" * 64])
def test_a_wrong_or_missing_session_key_does_not_match(key):
    assert not key_matches(SECRET, "abc", key)


def test_a_session_request_joins_an_id_only_with_its_key():
    own = "0123456789abcdef0123456789abcdef"
    assert granted_session_id({"session_id": own, "session_key": session_key(SECRET, own)}, SECRET) == own
    other_servers_key = session_key(b"t" * 40, own)
    for data in ({"session_id": own}, {"session_id": own, "session_key": "x"}, {"session_id": own, "session_key": other_servers_key}):
        granted = granted_session_id(data, SECRET)
        assert granted != own and len(granted) == 32
    assert len(granted_session_id(None, SECRET)) == 32 and len(granted_session_id("an id", SECRET)) == 32
    # a newline after a valid-looking id is not the id ("$" would have matched it)
    assert granted_session_id({"session_id": own + "\n", "session_key": session_key(SECRET, own + "\n")}, SECRET) != own + "\n"


def test_the_secret_file_is_made_once_with_mode_0600(tmp_path):
    path = tmp_path / "var" / "session-secret"
    first = secret_from_file(path)
    assert len(first) >= 32 and secret_from_file(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["session-secret"]  # no partial file left behind


def test_servers_starting_together_agree_on_the_secret(tmp_path):
    path = tmp_path / "session-secret"
    found: list[bytes] = []
    barrier = threading.Barrier(8)

    def start() -> None:
        barrier.wait()
        found.append(secret_from_file(path))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 8 and len(set(found)) == 1


def test_the_secret_variable_wins_and_must_be_long(monkeypatch, tmp_path):
    monkeypatch.setenv("MIGRANT_BOT_SESSION_SECRET", "x" * 32)
    assert load_session_secret() == b"x" * 32
    assert "x" * 32 not in repr(load_settings())
    monkeypatch.setenv("MIGRANT_BOT_SESSION_SECRET", "too short")
    with pytest.raises(SessionSecretError, match="MIGRANT_BOT_SESSION_SECRET"):
        load_session_secret()


def test_an_empty_secret_file_is_an_error(tmp_path):
    path = tmp_path / "session-secret"
    path.write_text("\n")
    with pytest.raises(SessionSecretError, match="at least 32"):
        secret_from_file(path)


# --- what the web channels log and serve


def test_a_refused_origin_is_logged_short_and_on_one_line():
    assert short_origin("https://evil.example") == "https://evil.example"
    logged = short_origin("https://evil.example/" + "x" * 10_000 + "\r\nX-Forged: 1")
    assert len(logged) <= 83 and "\n" not in logged and logged.endswith("...")
    assert short_origin("https://é.example\x1b[2J") == "https://?.example?[2J"


def test_the_privacy_page_escapes_every_text():
    page = privacy_page("lv", "ltr", ["<b>Title</b>", 'He said "<script>alert(1)</script>" & left'])
    assert "<script>" not in page and "<b>" not in page
    assert "<h1>&lt;b&gt;Title&lt;/b&gt;</h1>" in page
    assert "<p>He said &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; left</p>" in page
    assert '<html lang="lv" dir="ltr">' in page


# --- handled once


def test_an_update_is_claimed_once_until_released(tmp_path):
    seen = SeenUpdates.from_url(f"sqlite:///{tmp_path / 'db' / 'seen.db'}")
    assert seen.claim_now("telegram:update:1")
    assert not seen.claim_now("telegram:update:1")
    assert seen.claim_now("telegram:update:2")
    seen.release_now("telegram:update:1")
    assert seen.claim_now("telegram:update:1")


def test_claims_survive_a_restart(tmp_path):
    url = f"sqlite:///{tmp_path / 'seen.db'}"
    assert SeenUpdates.from_url(url).claim_now("whatsapp:message:wamid.1")
    assert not SeenUpdates.from_url(url).claim_now("whatsapp:message:wamid.1")


def test_old_claims_expire(tmp_path):
    seen = SeenUpdates.from_url(f"sqlite:///{tmp_path / 'seen.db'}", ttl_seconds=100)
    assert seen.claim_now("a", now=1000.0)
    assert seen.prune(now=1050.0) == 0
    assert not seen.claim_now("a", now=1050.0)
    assert seen.prune(now=1101.0) == 1
    assert seen.claim_now("a", now=1101.0)


async def test_claims_off_the_event_loop(tmp_path):
    seen = SeenUpdates.from_url(f"sqlite:///{tmp_path / 'seen.db'}")
    assert await seen.claim("k") and not await seen.claim("k")
    await seen.release("k")
    assert await seen.claim("k")


def test_start_prints_which_channels_are_on(monkeypatch, capsys):
    from bot.rasa_server.channels.__main__ import main

    for name, value in TELEGRAM_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MIGRANT_BOT_WHATSAPP_TOKEN", raising=False)
    monkeypatch.delenv("MIGRANT_BOT_MESSENGER_PAGE_TOKEN", raising=False)
    assert main() == 0
    assert "Telegram on (/webhooks/telegram/webhook); Facebook Messenger off" in capsys.readouterr().out
    monkeypatch.setenv("MIGRANT_BOT_MESSENGER_PAGE_TOKEN", "x")
    assert main() == 1
    assert "MIGRANT_BOT_MESSENGER_APP_SECRET" in capsys.readouterr().err


async def test_no_channel_writes_into_another_channels_conversation():
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    from bot.rasa_server.channels.guard import guarded

    handled: list[UserMessage] = []

    async def on_new_message(message: UserMessage) -> None:
        handled.append(message)

    def message(sender: str) -> UserMessage:
        return UserMessage("hello", CollectingOutputChannel(), sender)

    await guarded(on_new_message, "socketio")(message("telegram:42"))
    await guarded(on_new_message, "whatsapp")(message("telegram:42"))
    assert handled == []
    await guarded(on_new_message, "telegram")(message("telegram:42"))
    await guarded(on_new_message, "socketio")(message("a1b2c3"))
    assert [m.sender_id for m in handled] == ["telegram:42", "a1b2c3"]


async def test_a_failed_message_is_released_for_the_platforms_retry(tmp_path, monkeypatch):
    from bot.rasa_server.channels import platform
    from bot.rasa_server.channels.platform import Incoming

    seen = SeenUpdates.from_url(f"sqlite:///{tmp_path / 'seen.db'}")
    monkeypatch.setattr(platform, "seen_updates", lambda: seen)
    channel = TelegramInput(channel_settings("telegram", TELEGRAM_ENV))
    output = channel.get_output_channel()
    incoming = Incoming("update:1", "42", "hello")
    handled = []

    async def failing(message) -> None:
        raise RuntimeError("action server down")

    async def working(message) -> None:
        handled.append((message.sender_id, message.text, message.input_channel))

    assert await channel._handle_once(incoming, output, failing) is False
    assert await channel._handle_once(incoming, output, working) is True  # the retry is handled
    assert await channel._handle_once(incoming, output, working) is True  # a redelivery is not
    assert handled == [("telegram:42", "hello", "telegram")]


def test_a_payload_nobody_foresaw_is_acknowledged(monkeypatch):
    channel = TelegramInput(channel_settings("telegram", TELEGRAM_ENV))

    def broken(payload):
        raise KeyError("surprise")

    monkeypatch.setattr(channel, "messages", broken)
    assert channel._messages({"update_id": 1}) == []
