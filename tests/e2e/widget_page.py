"""Driving the web widget in headless Chromium (Debian's ``chromium``) for the browser tests.

Playwright drives the browser; it never downloads one (no ``playwright
install``). Screenshots go to tests/screenshots/ (not committed).

A reply is what answers one message: the widget shows it at once and marks
every top-level node of it in the log with the same ``data-reply`` id, so a
test can find a reply's bubbles (a text, a group of office cards, each with
its buttons) and check where the view landed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from bot.core.settings import PROJECT_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "tests" / "screenshots"
REPLY_TIMEOUT_MS = 60_000
PHONE = {"width": 375, "height": 720}
DESKTOP = {"width": 1280, "height": 860}
#: a raw address shown in text, e.g. "https://www.pmlp.gov.lv/lv/..." or "www.example.lv/..."
RAW_URL = re.compile(r"(?:https?://|www\.)\S+")
#: a phone number as the replies write them: "+371 67209400", "67 209 400"
PHONE_NUMBER = re.compile(r"\+?\d[\d \u00a0]{6,}\d")


@contextmanager
def chromium() -> Iterator[Browser]:
    assert CHROMIUM.exists(), "the browser tests need Debian's chromium: apt-get install chromium (scripts/test.sh does)"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


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


def in_widget(page: Page, script: str, arg: object = None) -> object:
    """Runs ``script`` (a function of the widget's shadow root and ``arg``) in the page."""
    return page.evaluate(f"([arg]) => ({script})(document.querySelector('#migrant-chat-widget').shadowRoot, arg)", [arg])


def focused(page: Page) -> str:
    """The class or id of the element focused inside the widget's shadow root."""
    return in_widget(page, "root => { const a = root.activeElement; return a ? (a.id || a.className) : ''; }")


def open_widget(page: Page, url: str, open_label: str = "Open the chat") -> Watch:
    watch = Watch(page)
    page.goto(url)
    page.get_by_role("button", name=open_label).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    return watch


def pick_language(page: Page, lang: str) -> None:
    page.locator("#mcw-lang").select_option(lang)
    expect(page.locator(".mcw")).to_have_attribute("lang", lang)


#: the id of the reply at the end of the log once the last message is acknowledged, else null
_NEW_REPLY = """root => {
  const log = root.querySelector('.log');
  const last = log.lastElementChild;
  if (!last || !last.hasAttribute('data-reply') || log.querySelector('.pending') || !root.querySelector('.typing').hidden) return null;
  return last.getAttribute('data-reply');
}"""


def wait_for_new_reply(page: Page) -> str:
    """Waits until the message just sent is acknowledged and its reply shown; returns the reply's id."""
    handle = page.wait_for_function(
        f"() => ({_NEW_REPLY})(document.querySelector('#migrant-chat-widget').shadowRoot)", timeout=REPLY_TIMEOUT_MS
    )
    return handle.json_value()


def ask(page: Page, text: str) -> str:
    """Types a question, sends it with Enter and waits for its reply; returns the reply's id."""
    page.locator("#mcw-input").fill(text)
    page.locator("#mcw-input").press("Enter")
    return wait_for_new_reply(page)


def press(button: Locator) -> str:
    """Presses a quick-reply button and waits for its reply; returns the reply's id."""
    button.click()
    return wait_for_new_reply(button.page)


def reply_nodes(page: Page, reply: str) -> Locator:
    """The reply's bubbles: its texts and its group of office cards (each with its buttons)."""
    return page.locator(f'.log > [data-reply="{reply}"]')


def reply_view(page: Page, reply: str) -> dict[str, float]:
    """Where the reply's first and last bubbles are against the visible part of the log."""
    return in_widget(
        page,
        """(root, reply) => {
          const log = root.querySelector('.log');
          const nodes = log.querySelectorAll(':scope > [data-reply="' + reply + '"]');
          const view = log.getBoundingClientRect();
          const style = getComputedStyle(log);
          return {
            top: view.top + log.clientTop + parseFloat(style.paddingTop),
            bottom: view.top + log.clientTop + log.clientHeight - parseFloat(style.paddingBottom),
            first: nodes[0].getBoundingClientRect().top,
            last: nodes[nodes.length - 1].getBoundingClientRect().bottom,
          };
        }""",
        reply,
    )


def assert_view_starts_at(page: Page, reply: str) -> None:
    """The view lands at the reply's start: its first bubble at the top when it is taller than the view, else it is all in view."""
    view = reply_view(page, reply)
    if view["last"] - view["first"] > view["bottom"] - view["top"]:
        assert abs(view["first"] - view["top"]) <= 2, f"a tall reply's first bubble is not at the top of the view: {view}"
    else:
        assert view["first"] >= view["top"] - 2 and view["last"] <= view["bottom"] + 2, f"a short reply is not all in view: {view}"


def assert_reads_well(page: Page, reply: str) -> None:
    """The reply contract as a visitor sees it: at most three bubbles, no long raw address, no office twice."""
    nodes = reply_nodes(page, reply)
    assert 1 <= nodes.count() <= 3, f"{nodes.count()} bubbles: {nodes.all_inner_texts()}"
    shown = "\n".join(nodes.all_inner_texts())
    long_urls = [url for url in RAW_URL.findall(shown) if len(url) > 40]
    assert not long_urls, f"raw addresses longer than 40 characters: {long_urls}"
    names = nodes.locator(".card-name").all_inner_texts()
    assert len(names) == len(set(names)), f"an office card twice: {names}"
    # an office shown as a card and again as text (or twice as text) repeats its address or its phone number
    addresses = nodes.locator(".card-address").all_inner_texts()
    for address in addresses:
        street = address.split(":", 1)[-1].strip()  # after the hidden "Address:"
        assert shown.count(street) == 1, f"the address {street!r} is shown {shown.count(street)} times:\n{shown}"
    numbers = [re.sub(r"\D", "", n) for n in PHONE_NUMBER.findall(shown)]
    repeated = {n for n in numbers if numbers.count(n) > 1}
    assert not repeated, f"a phone number shown more than once (an office twice): {repeated}\n{shown}"


def stored(page: Page, assistant_url: str, key: str) -> object:
    """What the widget keeps in localStorage under ``key`` (its keys are prefixed with the assistant's origin)."""
    return page.evaluate("k => JSON.parse(localStorage.getItem(k))", f"mcw:{assistant_url}:{key}")
