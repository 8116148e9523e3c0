"""A headless Chromium (Debian's, driven by Playwright) signs in, edits a translation and publishes.

Screenshots go to tests/screenshots/staff/ (not committed).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from bot.core.settings import PROJECT_ROOT
from tests.staff.harness import PASSWORD, add_staff
from tests.staff.test_content import draft_pack
from tests.staff.test_inbox import _asked, _broker_with

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "tests" / "screenshots" / "staff"


@pytest.fixture(scope="module")
def _fresh_shots():
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)


@pytest.fixture
async def page(_fresh_shots):
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (Debian's package; no browser is downloaded)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
        yield await context.new_page()
        await browser.close()


async def _sign_in(page, base: str, email: str) -> None:
    await page.goto(base + "/")
    await expect(page).to_have_url(base + "/sign-in?next=/")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page.locator("h1")).to_have_text("Overview")


async def test_sign_in_edit_a_translation_and_publish_in_chromium(page, fresh_server):
    server = fresh_server()
    browsers = await add_staff(server)
    base = server.base

    await page.goto(base + "/")
    await page.screenshot(path=SHOTS / "01-sign-in.png", full_page=True)
    await _sign_in(page, base, "translator@example.lv")
    await page.screenshot(path=SHOTS / "02-overview.png", full_page=True)

    await page.click("nav >> text=Translations")
    await page.select_option("select[name=lang]", "lv")
    await page.click("main form button")
    await expect(page.locator("#row-banking")).to_contain_text("up to date")
    await page.screenshot(path=SHOTS / "03-translations-side-by-side.png", full_page=True)

    await page.click("#row-banking a")
    answer = page.locator("textarea[name=answer]")
    await answer.fill((await answer.input_value()) + "\nPārlūka pārbaudes teikums.")
    await page.check("input[name=up_to_date]")
    await page.screenshot(path=SHOTS / "04-editing-latvian.png", full_page=True)
    await page.click("form.translation button[type=submit]")
    await expect(page.locator(".saved")).to_be_visible()
    await page.screenshot(path=SHOTS / "05-saved.png", full_page=True)

    # a rule the page does not let you break: too few examples is refused with the reason
    await page.fill("textarea[name=examples]", "viens\ndivi")
    await page.click("form.translation button[type=submit]")
    await expect(page.locator(".errors")).to_contain_text("at least 15 are needed")
    await page.screenshot(path=SHOTS / "06-validation-error.png", full_page=True)

    await page.click("#sign-out")
    await _sign_in(page, base, "publisher@example.lv")
    await page.click("nav >> text=Publish")
    await page.screenshot(path=SHOTS / "07-publish.png", full_page=True)
    await expect(page.locator("ul.changes")).to_contain_text("topics/banking.yml")  # what the publish will change
    await expect(page.locator("table.what-changes")).to_contain_text("new text")  # what users in each language will read
    await page.click("#publish")
    await expect(page.locator("h1")).to_have_text("Publish?")  # nothing starts before the confirmation
    await page.screenshot(path=SHOTS / "07b-publish-confirm.png", full_page=True)
    await page.click("#confirm-publish")
    await expect(page).to_have_url(re.compile(r"/publish/jobs/\d+$"))
    await page.screenshot(path=SHOTS / "08-publish-running.png", full_page=True)
    # the job page follows the steps until the job ends (it reloads itself while the job runs)
    await expect(page.locator(".saved")).to_contain_text("Published.", timeout=60_000)
    await expect(page.locator("#step-go_live")).to_contain_text("done")
    await expect(page.locator("#step-train")).to_contain_text("skipped")  # answer-only: no training
    await page.screenshot(path=SHOTS / "09-published.png", full_page=True)
    published = (server.root / "published" / "packs" / "latvia" / "topics" / "banking.yml").read_text(encoding="utf-8")
    assert "Pārlūka pārbaudes teikums." in published

    await page.click("text=Back to Publish")
    await page.click("button[value=lv]")
    await expect(page.locator("h1")).to_have_text("Publicēt")
    await expect(page.locator("table").last).to_contain_text("tikai atbildes, bez apmācības")
    await page.screenshot(path=SHOTS / "10-latvian-interface.png", full_page=True)
    assert len(list(SHOTS.glob("*.png"))) == 11
    for browser in browsers.values():
        await browser.close()


async def _wider_than_the_window(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0: nothing to scroll sideways)."""
    return await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


async def test_the_inbox_in_latvian_on_a_phone_and_a_desktop(page, fresh_server, tmp_path):
    """An editor files a long unanswered question deliberately: guesses offered, nothing preselected, a confirmation."""
    long_question = "Labdien! " + "Mēs ar ģimeni pārceļamies uz Rēzekni un gribētu saprast, " * 8 + "kur pieteikt bērnu bērnudārzā?"
    events = [
        _asked(
            "web:b1",
            long_question,
            "lv",
            [("children_education", 0.35), ("family_reunification", 0.2)],
            [("children_education/kindergarten", 0.6)],
        ),
        _asked(
            "web:b2",
            "kur var nopirkt makšķernieka karti?",
            "lv",
            [("blue_card", 0.45), ("work_permit", 0.38)],
            [("blue_card/eligibility", 0.7)],
        ),
    ]
    server = fresh_server(MIGRANT_BOT_DATABASE_URL=_broker_with(tmp_path / "tracker.db", events))
    browsers = await add_staff(server)
    shots = SHOTS / "inbox"
    shots.mkdir(exist_ok=True)
    await _sign_in(page, server.base, "editor@example.lv")
    await page.goto(server.base + "/inbox")
    await page.click("button[value=lv]")
    await expect(page.locator("h1")).to_have_text("Iesūtne")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(server.base + "/inbox")
        assert await _wider_than_the_window(page) <= 0, f"the inbox is wider than {width} px"
        await page.screenshot(path=shots / f"inbox-{width}.png", full_page=True)
    row = page.locator("li.group", has=page.locator("p.question", has_text="Rēzekni"))
    # nothing is chosen for the editor: pressing Add without a choice is stopped by the browser
    await row.locator("button[type=submit]").first.click()
    await expect(page).to_have_url(server.base + "/inbox")
    guesses = await row.locator("select[name=topic] optgroup").first.locator("option").all_inner_texts()
    assert guesses and guesses[0].startswith(
        draft_pack(server).topics["children_education"].entries["kindergarten"].translations["lv"].title
    )
    await row.locator("select[name=topic]").select_option("children_education.kindergarten")
    await row.locator("select[name=lang]").select_option("lv")
    await row.locator("button[type=submit]").first.click()
    await expect(page.locator("h1")).to_have_text("Pievienot jautāšanas veidu?")
    assert await _wider_than_the_window(page) <= 0
    await page.screenshot(path=shots / "inbox-confirm-390.png", full_page=True)
    await page.click("text=Jā, pievienot")
    await expect(page.locator(".saved")).to_contain_text("Pievienots kā jautāšanas veids")
    await expect(page.locator("li.group", has=page.locator("p.question", has_text="Rēzekni"))).to_have_count(0)
    await page.screenshot(path=shots / "inbox-added-390.png", full_page=True)
    for browser in browsers.values():
        await browser.close()
