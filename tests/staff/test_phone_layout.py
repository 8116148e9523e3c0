"""Every staff page fits a phone (390 px) and a desktop (1280 px) in Latvian, with no axe-core violation.

Debian's Chromium; axe-core's WCAG 2.1 A/AA rules at both widths. The pages
are the HTML pages of the permission table (tests/staff/test_permissions.py),
each as the admin and as an editor. Screenshots go to
tests/screenshots/staff/phone/ (not committed). Also: the skip link is the
first thing the Tab key reaches, and the interface strings' boxes show their
whole text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import async_playwright, expect

from bot.core.settings import PROJECT_ROOT
from tests.staff.harness import PASSWORD, Browser, StaffServer, user_id
from tests.staff.test_permissions import CASES, Case, _first_entry

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = PROJECT_ROOT / "tests" / "screenshots" / "staff" / "phone"
PHONE, DESKTOP = 390, 1280
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}  # axe-core's WCAG 2.1 A/AA rules
ACCOUNTS = {"admin": "admin@example.lv", "editor": "editor@example.lv"}
NOT_HTML = (".csv", ".json", ".xlsx", "download=1")
EXTRA_PAGES = ("/strings/lv",)  # the Latvian interface strings' boxes (the table has /strings/ru)
LATVIAN = {  # the Latvian of the account pages' strings, as bot/staff/locales/lv holds them
    "Skip to content": "Pāriet uz saturu",
    "Change password": "Mainīt paroli",
    "Change your password": "Mainīt savu paroli",
    "This is not your current password.": "Šī nav jūsu pašreizējā parole.",
}


def _is_html_page(case: Case, role: str) -> bool:
    """A GET of the table that this role may open and that answers 200 with a page (not a file, not "404 past the guard")."""
    return case.method == "GET" and role in case.allowed and not case.ok and not any(part in case.path for part in NOT_HTML)


async def _pages(server: StaffServer, admin: Browser, role: str) -> list[str]:
    """The paths to visit as ``role``, with the ids the permission table fills in."""
    paths = [case.path for case in CASES if _is_html_page(case, role)] + list(EXTRA_PAGES)
    _, users_page, _ = await admin.get("/users")
    translator = user_id(users_page, "translator@example.lv")
    entry = _first_entry(server)
    return list(dict.fromkeys(path.replace("{translator}", translator).replace("{entry}", entry) for path in paths))


def _shot_name(role: str, width: int, path: str) -> str:
    slug = "".join(c if c.isalnum() else "-" for c in path.strip("/")).strip("-")[:80] or "overview"
    return f"{role}-{width}-{slug}.png"


@pytest.fixture(scope="module")
def shots() -> Path:
    """An empty folder for this module's screenshots (the other screenshot folders stay)."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    return SHOTS


@pytest.fixture
async def chromium():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install chromium (Debian's package; no browser is downloaded)")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        await browser.close()


async def _signed_in_page(chromium, server: StaffServer, email: str, latvian: bool = True):
    """A new browser window signed in as ``email`` (its own session), switched to the Latvian interface."""
    context = await chromium.new_context(viewport={"width": DESKTOP, "height": 900}, locale="en-GB")
    page = await context.new_page()
    await page.goto(server.base + "/sign-in")
    await page.fill("input[name=email]", email)
    await page.fill("input[name=password]", PASSWORD)
    await page.click("main button[type=submit]")
    await expect(page).to_have_url(server.base + "/")
    if latvian:
        await page.click("header button[value=lv]")
        await expect(page.locator("html")).to_have_attribute("lang", "lv")
    return page


async def _wider_than_the_window(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 or less: nothing to scroll sideways)."""
    return await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


async def _cut_off_boxes(page) -> list[str]:
    """The text boxes whose text does not fit in them (it would scroll inside the box)."""
    script = "[...document.querySelectorAll('textarea')].filter(a => a.scrollHeight > a.clientHeight + 2).map(a => a.name)"
    return await page.evaluate(script)


@pytest.mark.parametrize("role", ["admin", "editor"])
async def test_no_page_is_wider_than_a_phone_or_a_desktop_or_has_an_accessibility_violation(sqlite_staff, chromium, shots, role):
    server, browsers = sqlite_staff
    page = await _signed_in_page(chromium, server, ACCOUNTS[role])
    paths = await _pages(server, browsers["admin"], role)
    assert len(paths) > 20 and "/account/password" in paths and ("/audit" in paths) == (role == "admin")
    too_wide, inaccessible = [], []
    for width in (PHONE, DESKTOP):
        await page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            response = await page.goto(server.base + path)
            assert response.status == 200 and "text/html" in response.headers["content-type"], path
            assert await page.evaluate("document.documentElement.lang") == "lv", path
            if await _wider_than_the_window(page) > 0:
                too_wide.append(f"{path} at {width} px: {await _wider_than_the_window(page)} px too wide")
            for violation in (await Axe().run(page, options=WCAG)).response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                inaccessible.append(f"{path} at {width} px: axe {violation['id']} on {targets}")
            await page.screenshot(path=shots / _shot_name(role, width, path), full_page=True)
    assert not too_wide, too_wide
    assert not inaccessible, "\n".join(inaccessible)
    await page.context.close()


async def test_the_editor_side_by_side_stacks_and_string_boxes_show_their_whole_text_on_a_phone(sqlite_staff, chromium, shots):
    server, _ = sqlite_staff
    page = await _signed_in_page(chromium, server, ACCOUNTS["editor"])
    await page.set_viewport_size({"width": PHONE, "height": 900})
    await page.goto(f"{server.base}/entries/banking/{_first_entry(server)}/lv")
    columns = await page.evaluate("getComputedStyle(document.querySelector('.side-by-side')).gridTemplateColumns.split(' ').length")
    assert columns == 1  # the source above the form, not beside it
    for width in (PHONE, DESKTOP):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(server.base + "/strings/lv")
        assert await page.locator("table.strings textarea").count() > 50
        assert await _cut_off_boxes(page) == [], width
    await page.context.close()


async def _tab_reaches_the_skip_link_first(page) -> None:
    skip = page.locator("#skip-link")
    assert (await skip.bounding_box())["width"] <= 1  # hidden until it has the focus
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.id") == "skip-link"
    await expect(skip).to_have_attribute("href", "#main")
    assert (await skip.bounding_box())["width"] > 50  # shown while focused


async def test_the_sign_in_page_fits_and_starts_with_the_skip_link(sqlite_staff, chromium, shots):
    server, _ = sqlite_staff
    context = await chromium.new_context(locale="lv-LV")
    page = await context.new_page()
    for width in (PHONE, DESKTOP):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(server.base + "/sign-in")
        assert await page.evaluate("document.documentElement.lang") == "lv"
        assert await _wider_than_the_window(page) <= 0, width
        await page.screenshot(path=shots / _shot_name("anonymous", width, "/sign-in"), full_page=True)
        await _tab_reaches_the_skip_link_first(page)
    await context.close()


async def test_the_skip_link_is_the_first_thing_the_tab_key_reaches(sqlite_staff, chromium, shots):
    server, _ = sqlite_staff
    page = await _signed_in_page(chromium, server, ACCOUNTS["editor"], latvian=False)
    for width in (PHONE, DESKTOP):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(server.base + "/topics")
        skip = page.locator("#skip-link")
        assert (await skip.bounding_box())["width"] <= 1  # hidden until it has the focus
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "skip-link"
        await expect(skip).to_have_text("Skip to content")
        await expect(skip).to_have_attribute("href", "#main")
        assert (await skip.bounding_box())["width"] > 50  # shown while focused
        await page.screenshot(path=shots / f"skip-link-{width}.png")
        await page.keyboard.press("Enter")
        await expect(page).to_have_url(server.base + "/topics#main")
        assert await page.evaluate("document.activeElement.id") == "main"
        await page.keyboard.press("Tab")  # the next stop is in the page's content, past the header's links
        assert await page.evaluate("document.querySelector('main').contains(document.activeElement)")
    await page.context.close()


async def test_the_latvian_words_of_the_account_pages(sqlite_staff, chromium, shots):
    """The account pages' words in the Latvian interface."""
    server, _ = sqlite_staff
    page = await _signed_in_page(chromium, server, ACCOUNTS["editor"])
    await page.set_viewport_size({"width": PHONE, "height": 900})
    await page.goto(server.base + "/")
    await page.keyboard.press("Tab")
    await expect(page.locator("#skip-link")).to_have_text(LATVIAN["Skip to content"])
    await page.click("#account-password")
    await expect(page.locator("#account-password")).to_have_text(LATVIAN["Change password"])
    await expect(page.locator("h1")).to_have_text(LATVIAN["Change your password"])
    await page.fill("#current_password", "not my password")
    await page.fill("#new_password", "three unrelated words")
    await page.fill("#new_password_again", "three unrelated words")
    await page.click("#password-form button[type=submit]")
    await expect(page.locator("#errors-current_password")).to_have_text(LATVIAN["This is not your current password."])
    await expect(page.locator("#current_password")).to_have_attribute("aria-invalid", "true")
    assert await _wider_than_the_window(page) <= 0
    await page.screenshot(path=shots / "password-wrong-current-390.png", full_page=True)
    await page.context.close()
