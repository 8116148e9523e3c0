"""Whole conversations in the web widget with the running assistant: at 375 px and 1280 px, in every language.

Each flow asks a question whose office is in many cities (the answer asks for
the city), presses a city button (the reply is only the office message for
that city, as cards), starts a new conversation, asks again and, instead of a
city, asks a new question (answered as the new question), then reloads the
page. Every reply is checked as the visitor sees it, against the reply
contract (docs/widget.md): the view starts at the new answer, at most three
bubbles, no raw address longer than 40 characters, no office twice, every
bubble in the reply's language. Screenshots: tests/screenshots/flow-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.widget_page import (
    DESKTOP,
    PHONE,
    ask,
    assert_reads_well,
    assert_view_starts_at,
    chromium,
    in_widget,
    open_widget,
    pick_language,
    press,
    reply_nodes,
    shot,
)


@dataclass(frozen=True)
class Flow:
    question: str  # its answer asks for the city
    city: str  # the city button's title; the branch there has a street address
    new_question: str  # asked instead of a city
    new_topic: re.Pattern[str]  # a word the new question's answer has


FLOWS = {
    "en": Flow("How do I get a residence permit?", "Ogre", "How do I enrol my child in school?", re.compile("school", re.I)),
    "lv": Flow("Kā saņemt termiņuzturēšanās atļauju?", "Ogre", "Kā pieteikt bērnu skolā?", re.compile("skol", re.I)),
    "ru": Flow("Как получить вид на жительство?", "Огре", "Как записать ребенка в школу?", re.compile("школ", re.I)),
    "uk": Flow("Як отримати посвідку на проживання?", "Огре", "Як записати дитину до школи?", re.compile("школ", re.I)),
}
SIZES = {"375px": PHONE, "1280px": DESKTOP}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


def languages_of(page: Page, reply: str) -> set[str]:
    """The lang of every assistant bubble and card group of the reply."""
    found = in_widget(
        page,
        """(root, reply) => [...root.querySelectorAll('.log > [data-reply="' + reply + '"]')]
             .map(node => node.matches('.msg, .cards') ? node : node.querySelector('.msg, .cards'))
             .map(node => node.getAttribute('lang'))""",
        reply,
    )
    return set(found)


def check(page: Page, reply: str, lang: str) -> None:
    """The reply contract as the visitor sees it (see the module docstring)."""
    assert_view_starts_at(page, reply)
    assert_reads_well(page, reply)
    assert languages_of(page, reply) == {lang}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("lang", FLOWS)
def test_question_city_new_question_and_reload(assistant, browser: Browser, lang: str, size: str):
    flow = FLOWS[lang]
    phone = size == "375px"
    context = browser.new_context(viewport=SIZES[size], has_touch=phone, is_mobile=phone, locale="en-GB")
    context.set_default_timeout(20_000)
    name = f"flow-{lang}-{size}"
    try:
        page = context.new_page()
        watch = open_widget(page, f"{assistant.url}/widget/demo.html")
        pick_language(page, lang)

        # a question: its answer, then the city question with the city buttons (on the last message)
        asked = ask(page, flow.question)
        shot(page, f"{name}-1-question")
        check(page, asked, lang)
        answer = reply_nodes(page, asked).first.inner_text()
        city = reply_nodes(page, asked).last.locator(".quick button", has_text=flow.city)
        expect(city).to_be_visible()

        # the city: only the office message for it, as cards, one with the branch's street address
        routed = press(city)
        shot(page, f"{name}-2-city")
        check(page, routed, lang)
        expect(reply_nodes(page, routed)).to_have_count(1)
        expect(reply_nodes(page, routed).locator(".card-address", has_text="Ogre")).not_to_have_count(0)
        assert answer not in reply_nodes(page, routed).inner_text(), "the answer was repeated"

        # a new conversation, the question again, and instead of a city a new question: answered as one
        page.locator(".menu-button").click()
        page.locator(".menu-item.clear").click()
        asked = ask(page, flow.question)
        check(page, asked, lang)
        expect(reply_nodes(page, asked).last.locator(".quick button", has_text=flow.city)).to_be_visible()
        new = ask(page, flow.new_question)
        shot(page, f"{name}-3-new-question")
        check(page, new, lang)
        expect(reply_nodes(page, new).first).to_contain_text(flow.new_topic)
        assert answer not in "\n".join(reply_nodes(page, new).all_inner_texts()), "the old answer came again"

        # a reload: the same conversation, the view at the start of the last answer
        shown = page.locator(".log").inner_text()
        replies = page.locator(".log > [data-reply]").count()
        page.reload()
        expect(page.get_by_role("dialog")).to_be_visible()
        expect(page.locator(".log > [data-reply]")).to_have_count(replies)
        assert page.locator(".log").inner_text() == shown
        shot(page, f"{name}-4-reload")
        assert_view_starts_at(page, new)
        assert watch.errors == [] and watch.dialogs == []
    finally:
        context.close()
