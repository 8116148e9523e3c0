"""Each role does its whole job in the Latvian interface, in Chromium, at 1280 and 390 px.

Every page a role passes through is checked for what a Latvian staff member
who is not a programmer would trip over: English words of the interface or
file paths in the visible text (content written in another language is
marked with its ``lang`` and left out; codes shown as secondary text in
``<code>``/``<small>`` are allowed), a page wider than the window, and axe-core
accessibility violations (WCAG 2 A/AA). Confirmations must appear before
anything irreversible. Screenshots go to tests/screenshots/staff/roles/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright, expect

from bot.core.settings import PROJECT_ROOT
from tests.staff.harness import PASSWORD, add_staff
from tests.staff.test_content import draft_pack, new_fee_in_english

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "tests" / "screenshots" / "staff" / "roles"
WIDTHS = (1280, 390)
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

#: Words of the English interface that must not show in the Latvian one (function words and the app's own vocabulary;
#: not "to" and "no", which are Latvian words too).
ENGLISH = set(
    """the and of with for from this that these your you are is was were be been not yes or if then when
    save saved publish published rollback roll back add added delete deleted edit change changed changes draft
    topic topics entry entries answer answers question questions language languages translation translations office offices
    user users overview search show filter all only new old text step steps running done failed refused skipped
    sign out password audit log history who what when state model preview inbox insights versions version
    please check checked choose nothing here there missing stale up date review reviewed""".split()
)
#: Allowed although English: the language switch's own name, and the e-mail addresses of the test users.
ALLOWED = {"english"}
PATH = re.compile(r"\b[\w-]+/[\w./-]+\.(?:yml|po|pot|py|json)\b")

_VISIBLE_TEXT = """() => {
  const skip = el => el.closest('code, small, textarea, select, option, [lang]:not([lang="lv"]), .technical');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || skip(el) || !el.checkVisibility()) continue;
    parts.push(node.textContent);
  }
  return parts.join(' ');
}"""


@pytest.fixture
async def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (Debian's package; no browser is downloaded)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield chromium
        await chromium.close()


class Walk:
    """One role's browser tab at one width, checking every page it reaches."""

    def __init__(self, page, base: str, role: str, width: int) -> None:
        self.page, self.base, self.role, self.width = page, base, role, width
        self.shots = 0
        self.problems: list[str] = []

    async def sign_in(self, email: str) -> None:
        await self.page.goto(self.base + "/sign-in")
        await self.page.fill("input[name=email]", email)
        await self.page.fill("input[name=password]", PASSWORD)
        await self.page.click("main button[type=submit]")
        if await self.page.locator("button[value=lv]").is_enabled():  # a Latvian browser gets Latvian at once
            await self.page.click("button[value=lv]")
        await expect(self.page.locator("html")).to_have_attribute("lang", "lv")

    async def check(self, what: str) -> None:
        """The page now shown: Latvian only, no wider than the window, no accessibility violations; a screenshot."""
        page = self.page
        await expect(page.locator("html")).to_have_attribute("lang", "lv")
        text = await page.evaluate(_VISIBLE_TEXT)
        words = {w.lower() for w in re.findall(r"[^\W\d_]+", re.sub(r"\S+@\S+", " ", text))}  # whole words, ā and š included
        english = sorted((words & ENGLISH) - ALLOWED)
        if english:
            first = re.search(rf"\b{english[0]}\b", text, re.IGNORECASE)
            context = text[max(0, first.start() - 60) : first.end() + 60] if first else ""
            self.problems.append(f"{what} ({page.url}): English words {english}, e.g. …{context}…")
        if PATH.search(text):
            self.problems.append(f"{what} ({page.url}): file path {PATH.search(text).group(0)!r}")
        wider = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wider > 0:
            self.problems.append(f"{what} ({page.url}): {wider} px wider than the {self.width} px window")
        violations = (await Axe().run(page, options=WCAG)).response["violations"]
        for violation in violations:
            targets = [node["target"] for node in violation["nodes"]][:3]
            self.problems.append(f"{what} ({page.url}): axe {violation['id']} on {len(violation['nodes'])} element(s) {targets}")
        self.shots += 1
        await page.screenshot(path=SHOTS / f"{self.role}-{self.width}-{self.shots:02d}-{what}.png", full_page=True)

    async def goto(self, path: str, what: str) -> None:
        await self.page.goto(self.base + path)
        await self.check(what)


async def _walk(browser, server, role: str, width: int) -> Walk:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="lv-LV")
    walk = Walk(await context.new_page(), server.base, role, width)
    await walk.sign_in(f"{role}@example.lv")
    return walk


def _assert_clean(walks: list[Walk]) -> None:
    problems = [p for walk in walks for p in walk.problems]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_publisher_publishes_one_topic_reads_what_changes_per_language_and_rolls_back(browser, fresh_server, width):
    server = fresh_server()
    browsers = await add_staff(server)
    await new_fee_in_english(server, browsers["editor"])  # the English fee changed; the translations are out of date
    walk = await _walk(browser, server, "publisher", width)
    page = walk.page
    await walk.goto("/publish", "publish")
    fee_title = draft_pack(server).topics["address_registration"].entries["fee"].translations["lv"].title
    row = page.locator("table.what-changes tr", has=page.locator("th", has_text=fee_title))
    await expect(row.locator("td.cell-stale")).to_have_count(3)  # Latvian, Russian and Ukrainian users keep the old fee
    await expect(page.locator("p.todo").first).to_contain_text("veco maksu")
    topic = draft_pack(server).topics["address_registration"].translations["lv"].title
    await page.select_option("select[name=scope]", label=f"Tikai tēma “{topic}”")
    await page.click("#publish")
    await expect(page.locator("h1")).to_have_text("Publicēt?")  # the confirmation
    await walk.check("publish-confirm")
    await page.click("#confirm-publish")
    await expect(page.locator("#job-state")).to_have_text("pabeigts", timeout=60_000)
    await walk.check("published")
    await page.goto(server.base + "/publish")
    await page.click("#rollback")
    await expect(page.locator("h1")).to_have_text("Atsaukt?")
    await walk.check("rollback-confirm")
    await page.click("#confirm-rollback")
    await expect(page.locator("#job-state")).to_have_text("pabeigts", timeout=60_000)
    await expect(page.locator("p.todo")).to_contain_text("melnrakst")  # the draft still holds the change
    await walk.check("rolled-back")
    _assert_clean([walk])
    for each in browsers.values():
        await each.close()


async def _replace_in_answer(page, old: str, new: str) -> None:
    answer = page.locator("textarea[name=answer]")
    text = await answer.input_value()
    assert old in text, text
    await answer.fill(text.replace(old, new))


@pytest.mark.parametrize("width", WIDTHS)
async def test_an_editor_changes_a_fee_in_every_language(browser, fresh_server, width):
    server = fresh_server()
    browsers = await add_staff(server)
    walk = await _walk(browser, server, "editor", width)
    page = walk.page
    topic = draft_pack(server).topics["address_registration"]
    await walk.goto("/topics", "topics")
    await page.fill("input[name=q]", topic.translations["lv"].title.split()[0])
    await page.click("form.filters button")
    await walk.check("topics-found")
    await page.click("#row-address_registration a[href='/topics/address_registration']")
    await walk.check("topic")
    await page.click("a[href='/topics/address_registration/en']")
    await walk.check("english-text")
    await _replace_in_answer(page, "EUR 4.27", "EUR 5.10")
    await page.click("form.translation button[type=submit]")
    await expect(page.locator("#review-prompt")).to_be_visible()  # a number changed: was it checked today?
    await walk.check("review-prompt")
    await page.click("#review-prompt button")
    await expect(page.locator("#review-prompt")).to_have_count(0)
    for lang in ("lv", "ru", "uk"):
        await page.goto(f"{server.base}/topics/address_registration/{lang}")
        await walk.check(f"{lang}-text")
        await _replace_in_answer(page, "4,27 EUR", "5,10 EUR")
        await page.check("input[name=up_to_date]")
        await page.click("form.translation button[type=submit]")
        await expect(page.locator("p.status-ok")).to_be_visible()
    await page.goto(server.base + "/topics/address_registration")
    await expect(page.locator("a.status-stale")).to_have_count(0)
    pack = draft_pack(server)
    assert all("5,10 EUR" in pack.topics["address_registration"].translations[lang].answer for lang in ("lv", "ru", "uk"))
    _assert_clean([walk])
    for each in browsers.values():
        await each.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_a_translator_finds_and_updates_an_out_of_date_translation(browser, fresh_server, width):
    server = fresh_server()
    browsers = await add_staff(server)
    await new_fee_in_english(server, browsers["editor"])
    walk = await _walk(browser, server, "translator", width)
    page = walk.page
    await walk.goto("/", "overview")
    await page.click("a[href='/translations?lang=lv&status=stale']")
    await walk.check("out-of-date")
    await page.click("#row-address_registration a")
    await expect(page.locator("#diff-answer ins").first).to_contain_text("5.10")  # what changed in the source since the translation
    await walk.check("translation-with-changes")
    await _replace_in_answer(page, "4,27 EUR", "5,10 EUR")
    await page.check("input[name=up_to_date]")
    await page.click("form.translation button[type=submit]")
    await expect(page.locator("p.status-ok")).to_be_visible()
    await walk.check("translation-saved")
    _assert_clean([walk])
    for each in browsers.values():
        await each.close()


@pytest.mark.parametrize("width", WIDTHS)
async def test_an_admin_adds_a_user_and_reads_the_audit_log_of_one_person(browser, fresh_server, width):
    server = fresh_server()
    browsers = await add_staff(server)
    walk = await _walk(browser, server, "admin", width)
    page = walk.page
    await walk.goto("/users", "users")
    await page.click("a[href='/users/new']")
    await walk.check("new-user")
    await page.fill("input[name=email]", "jauna.tulkotaja@example.lv")
    await page.fill("input[name=name]", "Jauna Tulkotāja")
    await page.fill("input[name=password]", PASSWORD)
    await page.check("input[name=roles][value=translator]")
    await page.check("input[name=languages][value=lv]")
    await page.click("main form button[type=submit]")
    await expect(page.locator("main")).to_contain_text("jauna.tulkotaja@example.lv")
    await walk.check("user-added")
    await page.goto(server.base + "/audit")
    await walk.check("audit")
    await page.select_option("select[name=actor]", "admin@example.lv")
    await page.click("form.filters button[type=submit]")
    await expect(page.locator("main table")).to_contain_text("jauna.tulkotaja@example.lv")
    await walk.check("audit-one-person")
    _assert_clean([walk])
    for each in browsers.values():
        await each.close()
