"""The web widget in headless Chromium against the running assistant (tests/e2e/widget_page.py drives it)."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from bot.core.privacy.notice import privacy_notice
from tests.e2e.scripted_assistant import ScriptedAssistant
from tests.e2e.servers import free_port
from tests.e2e.widget_page import (
    PHONE,
    REPLY_TIMEOUT_MS,
    SCREENSHOTS,
    Watch,
    ask,
    assert_reads_well,
    assert_view_starts_at,
    chromium,
    focused,
    in_widget,
    open_widget,
    pick_language,
    press,
    reply_nodes,
    reply_view,
    shot,
    stored,
    wait_for_new_reply,
)

INJECTION = "<img src=x onerror=alert(1)><script>alert(2)</script>"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture()
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    made.set_default_timeout(20_000)
    yield made
    made.close()


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
    ask(page, "Огре")  # a city whose branch has a street address
    card = page.locator(".card").first
    expect(card).to_be_visible()
    expect(card.locator(".card-address")).to_contain_text("Ogre")
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
    press(unhelpful)
    expect(page.locator(".msg.user").last).to_have_text(re.compile("Це не допомогло"))
    expect(page.locator(".msg.bot", has_text="Шкода, що це не допомогло")).to_be_visible()

    # a quick reply
    ask(page, "привіт")
    quick = page.locator(".quick button").first
    expect(quick).to_be_visible()
    title = quick.inner_text()
    press(quick)
    expect(page.locator(".msg.user").last).to_have_text(re.compile(re.escape(title)))
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
    context.set_offline(False)
    expect(page.locator(".banner.online")).to_have_text("Connected again.", timeout=30_000)
    reply = wait_for_new_reply(page)
    expect(page.locator(f'[data-reply="{reply}"] .msg.bot, .msg.bot[data-reply="{reply}"]').first).to_have_attribute("lang", "en")
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
    assert page.locator(".mcw").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    assert page.locator("#mcw-title").evaluate("e => getComputedStyle(e).fontSize") == "15px"  # 0.9375em of it
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


# ---- the widget's own behaviour, against scripted replies (tests/e2e/scripted_assistant.py) ----

FORMATTED = (
    "First line\nsecond line  \n\n- one **bold** item\n- [PMLP](https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0)\n\n"
    "See https://www.pmlp.gov.lv/lv/valsts-nodeva-par-uzturesanas-atlaujas-izsniegsanu. **[Book](https://pmlp.gov.lv/b)**, "
    "[bad](javascript:alert(1)), [plain](http://example.com/x), a lone ** and <img src=x onerror=alert(1)>"
)
NEW_TAB = '<span class="sr-only"> (opens in a new tab)</span>'
FORMATTED_HTML = (
    "<p>First line<br>second line</p>"
    '<ul><li>one <strong>bold</strong> item</li><li><a href="https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0"'
    f' target="_blank" rel="noopener noreferrer">PMLP{NEW_TAB}</a></li></ul>'
    '<p>See <a href="https://www.pmlp.gov.lv/lv/valsts-nodeva-par-uzturesanas-atlaujas-izsniegsanu" target="_blank"'
    f' rel="noopener noreferrer">pmlp.gov.lv{NEW_TAB}</a>. <strong><a href="https://pmlp.gov.lv/b" target="_blank"'
    f' rel="noopener noreferrer">Book{NEW_TAB}</a></strong>, [bad](javascript:alert(1)), plain, a lone ** and'
    " &lt;img src=x onerror=alert(1)&gt;</p>"
)
PMLP_OGRE = {
    "id": "ocma_ogre",
    "office": "ocma",
    "name": "PMLP Ogre Division",
    "address": "Brīvības iela 44, Ogre",
    "map_url": "https://www.openstreetmap.org/search?query=Br%C4%ABv%C4%ABbas+iela+44%2C+Ogre",
    "phone": "+371 67209400",
    "website": "https://www.pmlp.gov.lv",
    "hours": ["Mon–Thu 08:30–17:00", "Fri 08:30–15:00"],
}
NO_ADDRESS = {"id": "municipality", "office": "municipality", "name": "your local government (municipality)",
              "map_url": "https://www.openstreetmap.org/#map=14/56.9/24.1"}  # fmt: skip
ANSWER = "To live in Latvia for more than 90 days you need a residence permit.\n- Documents: a form, a passport copy."
WHERE_TO_GO = "Where to turn:\n**PMLP Ogre Division**\nBrīvības iela 44, Ogre\n☎ +371 67209400"
SOURCES = "Sources: [pmlp.gov.lv](https://www.pmlp.gov.lv/lv/kur-var-iesniegt-dokumentus-0) · checked on 22 November 2026"
UNHELPFUL = [{"title": "This did not help", "payload": '/ask_human{"feedback":"unhelpful"}'}]


def meta(lang: str = "en", label: str = "residence_permit") -> dict:
    return {"meta": {"label": label, "entry": None, "lang": lang, "offices": ["ocma"], "sources": []}, "direction": "ltr"}


LONG = "\n".join(f"- step {i}: " + "words to read " * 6 for i in range(30))
SCRIPT = {
    "format": [{"text": FORMATTED}, {"custom": meta()}],
    # the reply contract: answer, "where to go" (its cards stand in for it in the widget), sources with the buttons
    "new shape": [
        {"text": ANSWER},
        {"text": WHERE_TO_GO},
        {"text": SOURCES, "quick_replies": UNHELPFUL},
        {"custom": {**meta(), "office_cards": [PMLP_OGRE, NO_ADDRESS, PMLP_OGRE], "cards_replace_text": 1}},
    ],
    # the older shape: the branch as text and one custom.office_card after the texts
    "old shape": [
        {"text": ANSWER},
        {"text": WHERE_TO_GO},
        {"text": SOURCES, "quick_replies": UNHELPFUL},
        {"custom": {**meta(), "office_card": PMLP_OGRE}},
    ],
    "city only": [
        {"text": WHERE_TO_GO, "quick_replies": UNHELPFUL},
        {"custom": {**meta(), "office_cards": [PMLP_OGRE], "cards_replace_text": 0}},
    ],
    "long": [{"text": "A long answer:\n" + LONG}, {"text": SOURCES, "quick_replies": UNHELPFUL}, {"custom": meta()}],
    "short": [{"text": "A short answer."}, {"custom": meta()}],
    # an index that points past the texts: the cards come after them
    "по-русски": [
        {"text": "Ответ по-русски: [PMLP](https://www.pmlp.gov.lv)."},
        {"custom": {**meta("ru"), "office_cards": [PMLP_OGRE], "cards_replace_text": 5}},
    ],
}


@pytest.fixture(scope="module")
def scripted() -> Iterator[ScriptedAssistant]:
    running = ScriptedAssistant(SCRIPT).start()
    yield running
    running.stop()


def test_reply_text_format_becomes_elements_never_markup(scripted: ScriptedAssistant, context: BrowserContext):
    page = context.new_page()
    watch = open_widget(page, f"{scripted.url}/widget/demo.html")
    reply = ask(page, "format")
    text = reply_nodes(page, reply).locator(".text")
    assert in_widget(page, "root => root.querySelector('.log > [data-reply] .text').innerHTML") == FORMATTED_HTML
    expect(text.get_by_role("link")).to_have_count(3)  # https only: no javascript:, no http:
    # the visitor's own words stay as typed, even when they look like the format
    ask(page, "**not bold** [x](https://example.com)")
    expect(page.locator(".msg.user").last.locator("p")).to_have_text("**not bold** [x](https://example.com)")
    expect(page.locator(".msg.user").last.locator("a, strong")).to_have_count(0)
    page.wait_for_timeout(200)
    assert watch.dialogs == [] and watch.errors == []
    assert page.locator("#migrant-chat-widget img").count() == 0
    shot(page, "16-text-format")


def test_office_cards_stand_in_for_their_text_and_the_older_shape_still_shows(scripted: ScriptedAssistant, context: BrowserContext):
    page = context.new_page()
    open_widget(page, f"{scripted.url}/widget/demo.html")

    reply = ask(page, "new shape")
    nodes = reply_nodes(page, reply)
    expect(nodes).to_have_count(3)  # answer, cards, sources
    expect(nodes.nth(0)).to_contain_text("you need a residence permit")
    expect(nodes.nth(1).locator(".card")).to_have_count(2)  # one card per office: the repeated one is shown once
    expect(nodes.nth(1)).not_to_contain_text("Where to turn")  # the cards instead of the text
    expect(nodes.nth(2)).to_contain_text("Sources: pmlp.gov.lv")
    expect(nodes.nth(2).locator(".quick button")).to_have_text("This did not help")  # the buttons stay on the last message
    ogre, municipality = nodes.nth(1).locator(".card").all()
    expect(ogre.get_by_role("link", name=re.compile("Show on the map"))).to_have_attribute("href", PMLP_OGRE["map_url"])
    expect(ogre.get_by_role("link", name=re.compile("Call"))).to_have_attribute("href", "tel:+37167209400")
    expect(ogre.locator(".card-hours li")).to_have_count(2)
    expect(municipality.get_by_role("link")).to_have_count(0)  # no address: no map of an approximate area
    assert_reads_well(page, reply)
    shot(page, "17-office-cards")

    reply = ask(page, "city only")
    expect(reply_nodes(page, reply)).to_have_count(1)
    expect(reply_nodes(page, reply).locator(".card")).to_have_count(1)
    expect(reply_nodes(page, reply).locator(".quick button")).to_have_text("This did not help")

    reply = ask(page, "old shape")
    nodes = reply_nodes(page, reply)
    expect(nodes).to_have_count(4)  # the older shape as it comes: the texts, then the card
    expect(nodes.nth(3).locator(".card")).to_have_count(1)
    expect(nodes.nth(3).locator(".quick button")).to_have_text("This did not help")  # moved below the card
    expect(nodes.nth(2).locator(".quick")).to_have_count(0)

    # all of it comes back the same after a reload
    shown = page.locator(".log").inner_text()
    page.reload()
    expect(page.locator(".log > [data-reply]")).to_have_count(3 + 1 + 4)
    assert page.locator(".log").inner_text() == shown


def test_on_a_phone_the_view_lands_at_the_start_of_a_new_reply(scripted: ScriptedAssistant, browser: Browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="en-GB")
    try:
        page = context.new_page()
        open_widget(page, f"{scripted.url}/widget/demo.html")
        short = ask(page, "short")
        assert_view_starts_at(page, short)
        view = reply_view(page, short)
        assert view["first"] > view["top"]  # a short reply is shown whole, at the bottom, below the question
        long = ask(page, "long")
        view = reply_view(page, long)
        assert view["last"] - view["first"] > view["bottom"] - view["top"]  # taller than the view...
        assert abs(view["first"] - view["top"]) <= 2, view  # ...so its first bubble is at the top
        expect(reply_nodes(page, long).first).to_contain_text("A long answer")
        expect(reply_nodes(page, long).first).to_be_in_viewport()
        shot(page, "18-long-reply-375px")
        page.reload()  # the reload lands at the last reply's start too
        expect(page.locator(".log > [data-reply]")).to_have_count(1 + 2)
        assert_view_starts_at(page, long)
        # one measurement per check: the header may still change height as the strings arrive, moving the whole
        # log (and the reply with it) between two separate readings of the reply and of the log
        view = reply_view(page, long)
        assert abs(view["first"] - view["top"]) <= 2, view
        page.get_by_role("dialog").get_by_role("button", name="Close the chat").click()
        page.get_by_role("button", name="Open the chat").click()  # and so does opening the panel
        view = reply_view(page, long)
        assert abs(view["first"] - view["top"]) <= 2, view
    finally:
        context.close()


def test_a_reply_is_read_in_its_own_language(scripted: ScriptedAssistant, context: BrowserContext):
    """The screen-reader prefix, link hints and card labels of a Russian reply are Russian in a Ukrainian widget."""
    page = context.new_page()
    open_widget(page, f"{scripted.url}/widget/demo.html")
    pick_language(page, "uk")
    reply = ask(page, "по-русски")
    nodes = reply_nodes(page, reply)
    expect(nodes).to_have_count(2)  # an index past the texts: the cards come after them
    expect(nodes.first).to_have_attribute("lang", "ru")
    expect(nodes.first.locator(".sr-only").first).to_have_text("Ассистент: ")
    expect(nodes.first.get_by_role("link")).to_have_text("PMLP (откроется в новой вкладке)")
    expect(nodes.nth(1).locator(".card")).to_have_attribute("aria-label", "Учреждение: PMLP Ogre Division")
    expect(page.locator(".msg.user .sr-only").last).to_have_text("Ви: ")  # the visitor's own, in the widget's language
    expect(page.locator(".msg.bot .sr-only").first).to_have_text("Асистент: ")  # the greeting follows the widget's language
    page.reload()
    expect(reply_nodes(page, reply).first.locator(".sr-only").first).to_have_text("Ассистент: ")


@pytest.mark.parametrize("width", [375, 320])
def test_the_phone_header_fits_in_every_language(scripted: ScriptedAssistant, browser: Browser, width: int):
    """The title whole, broken between words only, in two lines (three smaller ones at 320 px); the picker shows the code."""
    context = browser.new_context(viewport={"width": width, "height": 640}, has_touch=True, is_mobile=True, locale="en-GB")
    try:
        page = context.new_page()
        open_widget(page, f"{scripted.url}/widget/demo.html")
        for lang in ("en", "lv", "ru", "uk"):
            pick_language(page, lang)
            header = page.locator(".header").bounding_box()
            assert header["height"] <= 60, (lang, header)
            title = in_widget(page, TITLE_LAYOUT)
            assert title["whole"], (lang, title)  # nothing cut off
            assert title["broken"] == [], (lang, title)  # no word across two lines
            assert title["lines"] <= (2 if width >= 360 else 3), (lang, title)
            expect(page.locator(".lang-code")).to_have_text(lang.upper())
            expect(page.locator("#mcw-lang")).to_have_accessible_name(re.compile(r"^(Language|Valoda|Язык|Мова)$"))
            for target in (".lang", "#mcw-lang", ".menu-button", ".close"):
                box = page.locator(target).bounding_box()
                assert box["width"] >= 44 and box["height"] >= 44 and box["x"] + box["width"] <= width, (lang, target, box)
            page.screenshot(path=str(SCREENSHOTS / f"19-header-{width}px-{lang}.png"), clip={"x": 0, "y": 0, "width": width, "height": 120})
        assert page.locator("#mcw-lang option").all_inner_texts() == ["English", "Latviešu", "Русский", "Українська"]
    finally:
        context.close()


#: the title's layout: its line count, whether all of it shows, and any word the browser broke across lines
TITLE_LAYOUT = """root => {
  const title = root.querySelector('#mcw-title');
  const text = title.firstChild;
  const broken = [];
  const tops = new Set();
  for (const match of text.data.matchAll(/\\S+/g)) {
    const range = document.createRange();
    range.setStart(text, match.index);
    range.setEnd(text, match.index + match[0].length);
    const rects = [...range.getClientRects()];
    rects.forEach(r => tops.add(Math.round(r.top)));
    if (new Set(rects.map(r => Math.round(r.top))).size > 1) broken.push(match[0]);
  }
  return {broken, lines: tops.size, whole: title.scrollHeight <= title.clientHeight + 1};
}"""
