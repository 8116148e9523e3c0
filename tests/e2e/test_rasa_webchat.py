"""Botfront's rasa-webchat, from npm, as a drop-in client of the assistant, in headless Chromium.

rasa-webchat is the most used Rasa web client; an integrator who already has
it should only need to point it at the assistant. The pinned package
(tests/e2e/webchat/package.json, installed by scripts/test.sh with
``npm ci``) is served with a small page by a local static server; the page
connects to the assistant's socket.io with ``customData: {language: "uk"}``.
Every request to anywhere else (rasa-webchat imports a web font) is refused,
so the test runs offline.
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from bot.core.settings import PROJECT_ROOT
from tests.e2e.widget_page import RAW_URL, SCREENSHOTS, chromium

WEBCHAT = PROJECT_ROOT / "tests" / "e2e" / "webchat"
BUNDLE = WEBCHAT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
REPLY_TIMEOUT_MS = 60_000
UKRAINIAN_ONLY = re.compile("[іїєґІЇЄҐ]")
#: rasa-webchat keeps its state here (params.storage "session")
SESSION_STORAGE_KEY = "chat_session"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def webchat_url() -> Iterator[str]:
    """The test page, served from tests/e2e/webchat/ on a free local port."""
    assert BUNDLE.exists(), "rasa-webchat is not installed: npm ci --prefix tests/e2e/webchat (scripts/test.sh does it)"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(WEBCHAT)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def local_only(route: Route) -> None:
    if route.request.url.startswith("http://127.0.0.1:"):
        route.continue_()
    else:
        route.abort()


def responses(page: Page):
    return page.locator(".rw-response")


def ask(page: Page, text: str) -> None:
    """Sends ``text`` and waits until the reply's messages have stopped arriving."""
    before = responses(page).count()
    page.locator(".rw-new-message").fill(text)
    page.locator(".rw-new-message").press("Enter")
    expect(responses(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
    ask_settled(page)


def ask_settled(page: Page) -> None:
    """Waits until no more of a reply's messages arrive."""
    settled, count = 0, -1
    while settled < 3:  # the same count for 0.9 s: the reply is complete
        page.wait_for_timeout(300)
        now = responses(page).count()
        settled, count = (settled + 1, now) if now == count else (0, now)


def session_id(page: Page) -> str:
    state = json.loads(page.evaluate("k => window.sessionStorage.getItem(k)", SESSION_STORAGE_KEY) or "{}")
    return state.get("session_id") or ""


def test_rasa_webchat_converses_in_its_custom_data_language_with_line_breaks(assistant, browser: Browser, webchat_url: str):
    context = browser.new_context(viewport={"width": 420, "height": 900}, locale="en-GB")
    context.set_default_timeout(20_000)
    context.route("**/*", local_only)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{webchat_url}?{urlencode({'socket': assistant.url, 'language': 'uk'})}")
        expect(page.locator(".rw-new-message")).to_be_visible()
        # connected: rasa-webchat asked for a session and stored the one the server confirmed
        page.wait_for_function(
            "k => (JSON.parse(window.sessionStorage.getItem(k) || '{}').session_id || '') !== ''",
            arg=SESSION_STORAGE_KEY,
            timeout=REPLY_TIMEOUT_MS,
        )

        # asked in English, answered in Ukrainian: customData.language reached the assistant as the client's language
        ask(page, "How do I get a residence permit?")
        answer = responses(page)
        texts = answer.all_inner_texts()
        assert any(UKRAINIAN_ONLY.search(t) for t in texts), texts
        assert not any("**" in t or "](" in t or t.strip() == "undefined" for t in texts), texts
        assert not [url for t in texts for url in RAW_URL.findall(t) if len(url) > 40], "links are shown by their names"
        # the Markdown is rendered: the answer's list is a list, its lines are lines
        expect(answer.locator("li").first).to_be_visible()
        first_list = answer.filter(has=page.locator("li")).first
        assert len([line for line in first_list.inner_text().splitlines() if line.strip()]) >= 3
        page.screenshot(path=str(SCREENSHOTS / "rasa-webchat-uk-answer.png"), full_page=True)

        # a city button: the offices come as text (the widget's cards are custom JSON, which rasa-webchat
        # does not show), their single line breaks (name, address, phone) shown as breaks
        before = responses(page).count()
        page.locator(".rw-replies .rw-reply", has_text="Рига").first.click()
        expect(responses(page)).not_to_have_count(before, timeout=REPLY_TIMEOUT_MS)
        ask_settled(page)
        offices = responses(page).nth(before)
        expect(offices.locator(".rw-markdown br").first).to_be_attached()
        lines = [line for line in offices.inner_text().splitlines() if line.strip()]
        assert len(lines) >= 3 and UKRAINIAN_ONLY.search(offices.inner_text()), lines
        assert offices.locator("strong").count() >= 1, "office names in bold"
        offices.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "rasa-webchat-uk-offices.png"))

        # a new question is answered
        ask(page, "Як записати дитину до школи?")
        assert UKRAINIAN_ONLY.search(responses(page).last.inner_text())

        # the server issued the session; the conversation is the assistant's, in Ukrainian, as the client's choice
        conversation = session_id(page)
        assert re.fullmatch(r"[0-9a-f]{32}", conversation), conversation
        events = [e for e in assistant.tracker(conversation)["events"] if e["event"] == "user"]
        assert [e["input_channel"] for e in events] == ["socketio"] * 3
        # (Rasa adds model_id and assistant_id; the guard kept only "lang", read from rasa-webchat's "language")
        assert all(e["metadata"].get("lang") == "uk" and "language" not in e["metadata"] for e in events), events

        # after a reload rasa-webchat asks for its old id without the key: a new conversation, still answered
        page.reload()
        expect(page.locator(".rw-new-message")).to_be_visible()
        ask(page, "привіт")
        assert UKRAINIAN_ONLY.search(responses(page).last.inner_text())
        assert errors == [], errors
    finally:
        context.close()


def test_rasa_webchat_shows_text_that_looks_like_markdown_as_written(assistant, browser: Browser, webchat_url: str):
    """A Latvian answer starts "1. solis: ..." (step 1): Markdown would make it a numbered list; it must read as written."""
    context = browser.new_context(viewport={"width": 420, "height": 900}, locale="lv-LV")
    context.set_default_timeout(20_000)
    context.route("**/*", local_only)
    page = context.new_page()
    try:
        page.goto(f"{webchat_url}?{urlencode({'socket': assistant.url, 'language': 'lv'})}")
        expect(page.locator(".rw-new-message")).to_be_visible()
        ask(page, "kādi ir soļi, lai pieteiktos uzturēšanās atļaujai")
        answer = responses(page).first
        expect(answer).to_contain_text("1. solis:")
        assert page.locator(".rw-response ol").count() == 0, "no numbered list made of the text"
        assert "\\" not in " ".join(responses(page).all_inner_texts()), "no escape shows"
        page.screenshot(path=str(SCREENSHOTS / "rasa-webchat-lv-steps.png"))
    finally:
        context.close()
