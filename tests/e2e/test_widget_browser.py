"""The web widget in headless Chromium (Debian's ``chromium``) against the running assistant.

Playwright drives the browser; it never downloads one (no ``playwright
install``). Screenshots go to tests/screenshots/ (not committed).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect, sync_playwright

from bot.privacy.notice import privacy_notice
from bot.settings import PROJECT_ROOT
from tests.e2e.servers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
INJECTION = "<img src=x onerror=alert(1)><script>alert(2)</script>"
REPLY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "the browser tests need Debian's chromium: apt-get install chromium (scripts/test.sh does)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    made.set_default_timeout(20_000)
    yield made
    made.close()


class Watch:
    """What a page did that it must not: dialogs (a script ran) and uncaught errors."""

    def __init__(self, page: Page) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def focused(page: Page) -> str:
    """The class or id of the element focused inside the widget's shadow root."""
    return page.evaluate(
        "() => { const a = document.querySelector('#migrant-chat-widget').shadowRoot.activeElement;"
        " return a ? (a.id || a.className) : ''; }"
    )


def open_widget(page: Page, url: str) -> Watch:
    watch = Watch(page)
    page.goto(url)
    page.get_by_role("button", name="Open the chat").click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return watch


def ask(page: Page, text: str) -> None:
    """Types a question, sends it with Enter and waits until the reply is in (the message is acknowledged)."""
    bots_before = page.locator(".msg.bot").count()
    page.locator("#mcw-input").fill(text)
    page.locator("#mcw-input").press("Enter")
    wait_for_reply(page, bots_before)


def wait_for_reply(page: Page, bots_before: int) -> None:
    expect(page.locator(".msg.bot")).not_to_have_count(bots_before, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".msg .pending")).to_have_count(0, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator(".typing")).to_be_hidden(timeout=REPLY_TIMEOUT_MS)


def stored(page: Page, assistant_url: str, key: str) -> object:
    """What the widget keeps in localStorage under ``key`` (its keys are prefixed with the assistant's origin)."""
    return page.evaluate("k => JSON.parse(localStorage.getItem(k))", f"mcw:{assistant_url}:{key}")


def user_texts(assistant, sender: str) -> list[str]:
    return [e.get("text") for e in assistant.tracker(sender)["events"] if e["event"] == "user"]


def test_conversation_in_ukrainian_with_card_quick_reply_history_and_injection(assistant, context: BrowserContext):
    page = context.new_page()
    watch = open_widget(page, f"{assistant.url}/widget/demo.html")
    assert focused(page) == "mcw-input"  # focus moved into the dialog
    shot(page, "01-open")

    # the picker switches the interface strings...
    page.get_by_label("Language").select_option("uk")
    expect(page.locator(".mcw")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("dialog").get_by_role("button", name="Закрити чат")).to_be_visible()
    expect(page.get_by_label("Ваше запитання")).to_have_attribute("placeholder", "Напишіть своє запитання…")
    expect(page.locator(".msg.bot").first).to_contain_text("Вітаємо!")
    shot(page, "02-ukrainian")

    # ...and the assistant's language: asked in English, answered in Ukrainian (metadata.lang)
    ask(page, "Where do I apply for a residence permit?")
    answer = page.locator(".msg.bot[lang='uk']").first
    expect(answer).to_contain_text(re.compile("[іїєґ]"))
    ask(page, "Даугавпілс")
    card = page.locator(".card").last
    expect(card).to_be_visible()
    expect(card.get_by_role("link", name=re.compile("Показати на карті"))).to_have_attribute(
        "href", re.compile(r"^https://www\.openstreetmap\.org/")
    )
    tel = card.get_by_role("link", name=re.compile("Зателефонувати"))
    expect(tel).to_have_attribute("href", re.compile(r"^tel:\+?\d+$"))
    expect(card.get_by_role("link", name=re.compile("Показати на карті"))).to_have_attribute("rel", "noopener noreferrer")
    # "This did not help" stays under the routed answer, below its card
    unhelpful = page.locator(".entry .quick button", has_text="Це не допомогло")
    expect(unhelpful).to_be_visible()
    shot(page, "03-office-card")
    bots_before = page.locator(".msg.bot").count()
    unhelpful.click()
    expect(page.locator(".msg.user").last).to_have_text(re.compile("Це не допомогло"))
    wait_for_reply(page, bots_before)
    expect(page.locator(".msg.bot", has_text="Шкода, що це не допомогло")).to_be_visible()

    # a quick reply
    ask(page, "привіт")
    quick = page.locator(".quick button").first
    expect(quick).to_be_visible()
    title = quick.inner_text()
    bots_before = page.locator(".msg.bot").count()
    quick.click()
    expect(page.locator(".msg.user").last).to_have_text(re.compile(re.escape(title)))
    wait_for_reply(page, bots_before)
    expect(page.locator(".msg.bot[lang='uk']").last).to_be_visible()
    shot(page, "04-quick-reply")

    # an injection attempt is shown as the text it is
    ask(page, INJECTION)
    mine = page.locator(".msg.user").last
    expect(mine.locator("p")).to_have_text(INJECTION)
    assert mine.locator("img, script").count() == 0
    assert page.locator("#migrant-chat-widget img").count() == 0
    mine.scroll_into_view_if_needed()
    shot(page, "05-injection-as-text")

    # a reload keeps the conversation and the language
    texts = page.locator(".log p").all_inner_texts()
    page.reload()
    expect(page.get_by_role("dialog")).to_be_visible()  # it was open
    expect(page.locator(".mcw")).to_have_attribute("lang", "uk")
    expect(page.locator(".log p")).to_have_count(len(texts))
    assert page.locator(".log p").all_inner_texts() == texts
    expect(page.locator(".card")).not_to_have_count(0)
    shot(page, "06-after-reload")

    # the conversation continues on the server after the reload (the stored session key opened it again)
    session = stored(page, assistant.url, "session")
    assert len(stored(page, assistant.url, "session_key")) == 64
    ask(page, "А де отримати посвідку на проживання?")
    assert stored(page, assistant.url, "session") == session
    assert user_texts(assistant, session)[-1] == "А де отримати посвідку на проживання?"
    page.wait_for_timeout(300)
    assert watch.dialogs == [] and watch.errors == []

    # Escape closes the dialog and focus returns to the launcher
    page.locator("#mcw-input").press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    assert focused(page) == "launcher"


def test_offline_banner_queue_and_recovery(assistant, context: BrowserContext):
    page = context.new_page()
    watch = open_widget(page, f"{assistant.url}/widget/demo.html")
    ask(page, "hello")
    context.set_offline(True)
    banner = page.locator(".banner.offline")
    expect(banner).to_have_text("You are offline. Your messages will be sent when the connection is back.")
    expect(banner).to_have_attribute("role", "status")
    page.locator("#mcw-input").fill("How do I get a residence permit?")
    page.locator("#mcw-input").press("Enter")
    expect(page.locator(".msg.user .pending")).to_have_text("Waiting to send")
    shot(page, "07-offline")
    bots_before = page.locator(".msg.bot").count()
    context.set_offline(False)
    expect(page.locator(".banner.online")).to_have_text("Connected again.", timeout=30_000)
    wait_for_reply(page, bots_before)
    expect(page.locator(".msg.bot").nth(bots_before)).to_have_attribute("lang", "en")  # the queued question's answer
    assert page.locator(".msg.user").count() == 2  # sent once, not twice
    shot(page, "08-back-online")
    assert watch.errors == []


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def axe_violations(page: Page) -> list[tuple]:
    """axe-core's WCAG 2.1 A/AA rules on the widget (it reads into the open shadow root)."""
    results = Axe().run(page, context={"include": [["#migrant-chat-widget"]]}, options=WCAG_AA).response
    checked = {rule["id"] for rule in results["passes"] + results["incomplete"]}
    assert {"button-name", "label", "select-name", "color-contrast"} <= checked, checked  # the rules did look at the widget
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results["violations"]]


def assert_no_axe_violations(page: Page, where: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{where}: {found}"


def test_axe_finds_no_wcag_aa_violations(assistant, context: BrowserContext):
    page = context.new_page()
    open_widget(page, f"{assistant.url}/widget/demo.html")
    assert_no_axe_violations(page, "empty conversation")
    ask(page, "Where is the PMLP office in Riga?")
    ask(page, "hello")  # quick replies
    expect(page.locator(".card")).not_to_have_count(0)
    assert_no_axe_violations(page, "conversation with a card and quick replies")
    context.set_offline(True)
    expect(page.locator(".banner.offline")).to_be_visible()
    assert_no_axe_violations(page, "offline")
    context.set_offline(False)
    # and it would tell: a button without a name inside the shadow root is found
    page.evaluate("document.querySelector('#migrant-chat-widget').shadowRoot.querySelector('.close').removeAttribute('aria-label')")
    assert "button-name" in {rule for rule, *_ in axe_violations(page)}


def _with_rtl_language(route: Route) -> None:
    """The server's real language list plus one right-to-left entry (no rtl language has content yet)."""
    response = route.fetch()
    body = response.json()
    body["languages"].append({"code": "ar", "name": "العربية", "direction": "rtl"})
    route.fulfill(response=response, json=body)


def test_right_to_left_layout(assistant, context: BrowserContext):
    page = context.new_page()
    english = page.request.get(f"{assistant.url}/widget/strings/en.json").json()
    page.route("**/widget/languages.json", _with_rtl_language)
    page.route("**/widget/strings/ar.json", lambda route: route.fulfill(json={**english, "lang": "ar", "direction": "rtl"}))
    open_widget(page, f"{assistant.url}/widget/demo.html")
    expect(page.locator(".mcw")).to_have_attribute("dir", "ltr")
    page.get_by_label("Language").select_option("ar")
    root = page.locator(".mcw")
    expect(root).to_have_attribute("dir", "rtl")
    ask(page, "hello")
    log = page.locator(".log").bounding_box()
    user = page.locator(".msg.user").last.bounding_box()
    bot = page.locator(".msg.bot").last.bounding_box()
    # mirrored: the user's bubbles on the left, the assistant's on the right
    assert user["x"] - log["x"] < 30, (user, log)
    assert (log["x"] + log["width"]) - (bot["x"] + bot["width"]) < 30, (bot, log)
    assert user["x"] < bot["x"]
    title = page.locator("#mcw-title").bounding_box()
    close = page.locator(".close").bounding_box()
    assert close["x"] < title["x"]  # the header is mirrored too
    shot(page, "09-right-to-left")


def test_small_screen_touch_targets_and_labels(assistant, browser: Browser):
    context = browser.new_context(viewport={"width": 320, "height": 640}, has_touch=True, is_mobile=True, locale="lv-LV")
    try:
        page = context.new_page()
        page.goto(f"{assistant.url}/widget/demo.html")
        launcher = page.get_by_role("button", name="Atvērt tērzēšanu")  # the browser's language is the starting point
        assert min(launcher.bounding_box()["width"], launcher.bounding_box()["height"]) >= 44
        launcher.click()
        dialog = page.get_by_role("dialog")
        expect(dialog).to_have_attribute("aria-labelledby", "mcw-title")
        panel = dialog.bounding_box()
        assert panel["width"] == 320 and panel["x"] == 0
        expect(page.locator(".log")).to_have_attribute("role", "log")
        expect(page.locator(".log")).to_have_attribute("aria-live", "polite")
        expect(page.get_by_label("Jūsu jautājums")).to_be_visible()
        ask(page, "sveiki")
        targets = [page.locator(s) for s in (".close", ".menu-button", ".send", "#mcw-lang", "#mcw-input")]
        targets += page.locator(".quick button").all()
        for target in targets:
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44, (target, box)
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert page.evaluate("() => { const l = document.querySelector('#migrant-chat-widget').shadowRoot.querySelector('.log');"
                             " return l.scrollWidth <= l.clientWidth; }")  # fmt: skip
        shot(page, "10-mobile-320px")
    finally:
        context.close()


HOST_PAGE = """<!doctype html><html><head><style>
* { color: rgb(255, 0, 0) !important; font-size: 40px !important; }
.msg, .launcher { display: none !important; }
</style></head><body><p class="msg" id="host-msg">the host's own text</p>
<script src="{assistant}/widget/widget.js" data-primary-color="#ffeb3b" data-title="Ask the city" data-lang="ru" defer></script>
</body></html>"""


@pytest.fixture()
def other_site(assistant) -> Iterator[str]:
    """Another web site (another origin: the same host, another port) whose page embeds the widget."""
    page = HOST_PAGE.replace("{assistant}", assistant.url).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/host-page.html"
    finally:
        server.shutdown()
        server.server_close()


def test_embedded_on_another_site_without_css_leaks(other_site: str, context: BrowserContext):
    """A page of another origin (127.0.0.1 on another port: allowed for development) embeds the widget with options."""
    page = context.new_page()
    watch = Watch(page)
    page.goto(other_site)
    launcher = page.locator(".launcher")
    expect(launcher).to_be_visible()  # the host's ".launcher" rule does not reach into the widget
    expect(launcher).to_have_attribute("aria-label", "Открыть чат")  # data-lang="ru"
    assert launcher.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 235, 59)"
    assert launcher.evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"  # readable on yellow
    launcher.click()
    expect(page.locator("#mcw-title")).to_have_text("Ask the city")
    # the host's 40px root font size does not reach in (no rem units)
    assert page.locator("#mcw-title").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    ask(page, "hello")
    reply = page.locator(".msg.bot").last
    assert reply.evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    # yellow borders would not show on white (3:1): the quick replies get dark ones
    assert page.locator(".quick button").first.evaluate("e => getComputedStyle(e).borderTopColor") == "rgb(27, 27, 31)"
    assert page.locator("#host-msg").evaluate("e => getComputedStyle(e).display") == "none"  # nor the widget's out
    assert page.evaluate("typeof window.io") == "undefined"  # the socket.io client stays inside the widget
    shot(page, "11-embedded-elsewhere")
    assert watch.errors == []


def test_menu_privacy_page_and_deleting_the_conversation_at_375px(assistant, browser: Browser):
    """The menu's two items: "Privacy" opens the notice in a new tab; "Delete my conversation" asks, deletes, starts over."""
    context = browser.new_context(viewport={"width": 375, "height": 720}, has_touch=True, is_mobile=True, locale="en-GB")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        watch = open_widget(page, f"{assistant.url}/widget/demo.html")
        ask(page, "How do I get a residence permit?")
        old_session, old_key = stored(page, assistant.url, "session"), stored(page, assistant.url, "session_key")
        assert user_texts(assistant, old_session) == ["How do I get a residence permit?"]

        menu = page.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        new_conversation = page.get_by_role("button", name="Start a new conversation")
        delete = page.get_by_role("button", name="Delete my conversation")
        privacy = page.get_by_role("link", name=re.compile("^Privacy"))
        expect(new_conversation).to_be_visible()
        expect(delete).to_be_visible()
        expect(privacy).to_have_attribute("href", f"{assistant.url}/widget/privacy?lang=en")
        expect(privacy).to_have_attribute("target", "_blank")
        assert focused(page) == "menu-item clear"  # the keyboard starts at the first item
        page.keyboard.press("Tab")
        assert focused(page) == "menu-item delete-item"
        for target in (menu, new_conversation, delete, privacy):
            box = target.bounding_box()
            assert box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= 375, box
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert_no_axe_violations(page, "menu open")
        shot(page, "12-menu-375px")

        # Escape closes the menu only, and focus goes back to its button
        page.keyboard.press("Escape")
        expect(delete).to_be_hidden()
        expect(page.get_by_role("dialog")).to_be_visible()
        assert focused(page) == "icon menu-button"

        # "Privacy": the notice in a new tab, in the widget's language
        menu.click()
        with context.expect_page() as opened:
            privacy.click()
        tab = opened.value
        tab.wait_for_load_state()
        assert tab.url == f"{assistant.url}/widget/privacy?lang=en"
        expect(tab.locator("h1")).to_have_text(privacy_notice("en")[0])
        shot(tab, "13-privacy-page-375px")
        tab.close()
        expect(delete).to_be_hidden()  # following the link closed the menu

        # "Delete my conversation" asks first, in the widget; Cancel keeps everything
        menu.click()
        delete.click()
        confirm = page.get_by_role("group", name=re.compile("^Delete this conversation"))
        expect(confirm).to_be_visible()
        assert focused(page) == "confirm-no"  # the safe choice has the focus
        assert_no_axe_violations(page, "delete confirmation")
        shot(page, "14-delete-confirmation-375px")
        confirm.get_by_role("button", name="Cancel").click()
        expect(confirm).to_be_hidden()
        assert stored(page, assistant.url, "session") == old_session

        # ...and Delete deletes it on the server, forgets id, key and history, and starts a new session
        menu.click()
        delete.click()
        confirm.get_by_role("button", name="Delete", exact=True).click()
        page.wait_for_function(
            "([k, old]) => { const v = JSON.parse(localStorage.getItem(k)); return v && v !== old; }",
            arg=[f"mcw:{assistant.url}:session", old_session],
            timeout=REPLY_TIMEOUT_MS,
        )
        new_session, new_key = stored(page, assistant.url, "session"), stored(page, assistant.url, "session_key")
        assert new_key != old_key and len(new_key) == 64
        expect(page.locator(".msg.user")).to_have_count(0)
        expect(page.locator(".msg.bot")).not_to_have_count(0)  # the assistant's confirmation
        assert not any(e.get("role") == "user" for e in stored(page, assistant.url, "history"))
        assert user_texts(assistant, old_session) == []
        shot(page, "15-deleted-375px")

        # the new conversation is a new one on the server, and survives a reload
        ask(page, "hello")
        assert user_texts(assistant, new_session) == ["hello"]
        page.reload()
        expect(page.locator(".msg.user")).to_have_count(1)
        ask(page, "How do I get a residence permit?")
        assert stored(page, assistant.url, "session") == new_session
        assert user_texts(assistant, new_session) == ["hello", "How do I get a residence permit?"]
        assert user_texts(assistant, old_session) == []
        assert watch.errors == [] and watch.dialogs == []
    finally:
        context.close()
