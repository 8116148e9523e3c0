"""The web widget's server side: origins, strings, bundle, colours, vendored client."""

from __future__ import annotations

import hashlib
import re

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.rasa_server.channels.origins import OriginPolicy, OriginSettingError
from bot.rasa_server.channels.socketio import OriginCheckingServer, valid_session_id
from bot.rasa_server.widget.assets import CLIENT, FORMAT_SOURCE, STATIC_DIR, WIDGET_SOURCE, static_file, widget_bundle
from bot.rasa_server.widget.strings import PACK_STRINGS, WIDGET_STRINGS, language_list, widget_strings

# ---- origins ----


def test_default_policy_allows_own_origin_and_local_development_only():
    policy = OriginPolicy.from_environment({})
    own = ["https://bot.example.lv"]
    assert policy.allows("https://bot.example.lv", own)
    assert policy.allows("http://localhost:3000", own)
    assert policy.allows("http://127.0.0.1", own)
    assert not policy.allows("https://evil.example", own)
    assert not policy.allows("http://localhost.evil.example", own)


def test_listed_origins_replace_local_development():
    policy = OriginPolicy.from_environment({"MIGRANT_BOT_WIDGET_ORIGINS": "https://www.example.lv, https://Example.lv/"})
    assert policy.listed == {"https://www.example.lv", "https://example.lv"}
    assert policy.allows("https://example.lv", [])
    assert not policy.allows("http://localhost:3000", [])


@pytest.mark.parametrize("bad", ["*", "example.lv", "https://example.lv/path", "ftp://example.lv", "https://user@example.lv"])
def test_bad_origin_setting_is_a_clear_error(bad):
    with pytest.raises(OriginSettingError, match="MIGRANT_BOT_WIDGET_ORIGINS"):
        OriginPolicy.from_environment({"MIGRANT_BOT_WIDGET_ORIGINS": bad})


def _environ(origin: str) -> dict:
    return {"wsgi.url_scheme": "http", "HTTP_HOST": "bot.example.lv:5005", "HTTP_ORIGIN": origin}


def test_engineio_server_asks_the_policy():
    server = OriginCheckingServer(OriginPolicy(listed=frozenset({"https://www.example.lv"}), local_development=False), async_mode="sanic")
    allowed = server.eio._cors_allowed_origins
    assert "https://www.example.lv" in allowed(_environ("https://www.example.lv"))
    assert "http://bot.example.lv:5005" in allowed(_environ("http://bot.example.lv:5005"))
    assert "https://evil.example" not in allowed(_environ("https://evil.example"))
    assert server.eio.cors_allowed_origins is None  # Rasa's [] would switch the check off


@pytest.mark.parametrize(
    ("value", "ok"), [("0123456789abcdef0123456789abcdef", True), ("short", False), ("../../x/y/z/0123456", False), (7, False)]
)
def test_session_ids(value, ok):
    assert (valid_session_id(value) is not None) == ok


# ---- strings and languages ----


def test_widget_strings_come_from_the_catalogs(pack):
    for code in pack.languages:
        strings = widget_strings(code, pack)
        assert set(strings) == set(WIDGET_STRINGS) | set(PACK_STRINGS)
        assert all(value.strip() for value in strings.values())
    assert widget_strings("uk", pack)["send"] == "Надіслати"
    assert widget_strings("lv", pack)["title"] == "Palīdzība iebraucējiem Latvijā"  # the pack's, not the catalogs'
    assert widget_strings("lv")["call"] == "Zvanīt {phone}"
    assert widget_strings("uk")["plan_progress"] == "Зроблено: {done} з {total}"  # no plural forms: the catalogs give none


def test_every_widget_string_is_in_the_template():
    template = (PROJECT_ROOT / "locales" / "messages.pot").read_text(encoding="utf-8")
    for message in WIDGET_STRINGS.values():
        assert f'msgid "{message}"' in template or message[:30] in template, message


def test_widget_js_uses_only_known_string_keys():
    """``t`` (the widget's language) and ``say`` (a reply's language) look strings up by key, as do data-key attributes."""
    source = WIDGET_SOURCE.read_text(encoding="utf-8")
    used = set(re.findall(r"\b(?:t|say)\('([a-z_]+)'", source)) | set(re.findall(r"'data-key', '([a-z_]+)'", source))
    assert {"assistant_said", "new_tab", "show_on_map", "title"} <= used
    assert used <= set(WIDGET_STRINGS) | set(PACK_STRINGS), used - set(WIDGET_STRINGS) - set(PACK_STRINGS)


def test_language_list_has_directions(pack):
    listed = language_list(pack.languages, pack.default_language)
    assert listed["default"] == "en"
    assert {(entry["code"], entry["direction"]) for entry in listed["languages"]} >= {("uk", "ltr"), ("lv", "ltr")}


# ---- bundle and vendored client ----


def test_vendored_client_is_the_checked_release():
    script = (PROJECT_ROOT / "scripts" / "vendor-widget.sh").read_text()
    expected = re.search(r"^SHA256=([0-9a-f]{64})$", script, re.MULTILINE).group(1)
    assert hashlib.sha256(CLIENT.read_bytes()).hexdigest() == expected
    assert (CLIENT.parent / "socket.io-client.LICENSE").read_text().startswith("The MIT License")


def test_bundle_keeps_io_private():
    text = widget_bundle().body.decode()
    assert text.index("Socket.IO v4.8.4") < text.index("function replyTextNodes") < text.index("function startWidget")
    assert "sourceMappingURL" not in text
    assert "var module = { exports: {} }" in text and text.rstrip().endswith("}());")


@pytest.mark.parametrize("path", [WIDGET_SOURCE, FORMAT_SOURCE], ids=lambda p: p.name)
def test_widget_never_writes_html(path):
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function|DOMParser", source)


def test_only_listed_files_are_served():
    assert static_file("demo.html") is not None
    assert static_file("../../credentials.yml") is None
    assert static_file("widget.js") is None  # the bundle, not the bare source


# ---- colours: WCAG 2.1 AA contrast of the default palette ----


def _rgb(hex_colour: str) -> tuple[float, float, float]:
    value = hex_colour.lstrip("#")
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))


def _luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


PALETTE = dict(re.findall(r"--mcw-([a-z-]+):\s*(#[0-9a-f]{6});", (STATIC_DIR / "widget.css").read_text()))


@pytest.mark.parametrize(
    ("foreground", "background", "minimum"),
    [
        ("text", "bg", 4.5),
        ("text", "bot", 4.5),
        ("link", "bot", 4.5),
        ("link", "bg", 4.5),
        ("muted", "bg", 4.5),  # placeholder
        ("on-primary", "primary", 4.5),
        ("offline-text", "offline-bg", 4.5),
        ("online-text", "online-bg", 4.5),
        ("border", "bg", 3.0),  # input borders (WCAG 1.4.11)
        ("primary", "bg", 3.0),  # quick-reply and card-link borders
    ],
)
def test_default_colours_meet_wcag_aa(foreground, background, minimum):
    assert contrast(PALETTE[foreground], PALETTE[background]) >= minimum


def test_widget_css_has_no_rem_units():
    """The unit rem follows the host page's root font size, which must not reach into the widget."""
    assert not re.search(r"\d(\.\d+)?rem\b", (STATIC_DIR / "widget.css").read_text())
