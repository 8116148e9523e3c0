"""The plan of a move in the web widget with the running assistant, on a 375 px phone.

The interview is run by pressing the buttons the assistant offers, in
Latvian; the plan arrives as a checklist; two steps are ticked; after a
reload the checklist is still there with its ticks; the printable page opens
in the person's language. Screenshots: tests/screenshots/plan-live-*.png.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from playwright.sync_api import Browser, expect

from tests.e2e.widget_page import PHONE, ask, chromium, open_widget, pick_language, press, reply_nodes, shot

LANG = "lv"
ANSWERS = {  # a Ukrainian mother with children, already in Daugavpils
    "location": "in_latvia",
    "citizenship": "ukraine_tp",
    "purpose": "protection",
    "city": "daugavpils",
    "family": "children",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def _title(pack, question_id: str) -> str:
    if question_id == "city":
        return pack.directory.cities[ANSWERS["city"]].name_in(LANG)
    return pack.plan.question(question_id).option(ANSWERS[question_id]).label[LANG]


def test_the_interview_and_a_checklist_whose_ticks_survive_a_reload_on_a_phone(assistant, pack, browser: Browser):
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, locale="en-GB")
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        watch = open_widget(page, f"{assistant.url}/widget/demo.html")
        pick_language(page, LANG)
        reply = ask(page, "Lūdzu, sastādi man plānu pārcelšanās uz Latviju")
        for question in pack.plan.questions:
            if question.id not in ANSWERS:
                break
            expect(reply_nodes(page, reply).filter(has_text=question.text[LANG])).not_to_have_count(0)
            reply = press(reply_nodes(page, reply).last.get_by_role("button", name=_title(pack, question.id), exact=True))
        checklist = page.locator(".plan").last
        expect(checklist).to_be_visible()
        shot(page, "plan-live-1-checklist")
        titles = [
            pack.entry(step.entry).translations[LANG].title for step in pack.plan.steps if step.id in ("temporary_protection", "school")
        ]
        for title in titles:
            expect(checklist.get_by_role("checkbox", name=title, exact=True)).to_be_visible()
        boxes = checklist.get_by_role("checkbox")
        total = boxes.count()
        for title in titles:
            checklist.get_by_role("checkbox", name=title, exact=True).check()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page is {width} px wide"

        page.reload()
        expect(page.get_by_role("dialog")).to_be_visible()
        checklist = page.locator(".plan").last
        for title in titles:
            expect(checklist.get_by_role("checkbox", name=title, exact=True)).to_be_checked()
        expect(checklist.get_by_role("checkbox")).to_have_count(total)
        shot(page, "plan-live-2-after-reload")

        link = checklist.locator("a[href*='/widget/plan/']").first.get_attribute("href")
        assert link and link.startswith(assistant.url) and "daugavpils" not in link and "ukraine" not in link
        printable = requests.get(link, timeout=30)
        assert printable.status_code == 200 and f'lang="{LANG}"' in printable.text
        for title in titles:
            assert title in printable.text
        assert watch.errors == [] and watch.dialogs == []
    finally:
        context.close()
