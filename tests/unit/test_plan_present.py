"""The plan as the person sees it: entry texts in their language, the office for their city, sources, conditions."""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime, timezone

import pytest

from bot.core.offices.places import distance_km
from bot.core.offices.render import national_card
from bot.core.plan.build import build_plan
from bot.core.plan.model import PlanContent, PlanStep
from bot.core.plan.present import ABROAD, plan_key, present_plan

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
IN_RIGA = {"location": "in_latvia", "citizenship": "third_country", "purpose": "work", "city": "riga", "family": "alone", "when": None}


def presented(pack, answers, lang="en"):
    return present_plan(pack, build_plan(pack.plan, answers), lang, NOW)


def step_with_office(shown, pack, office_id, phase=None):
    """The first step whose entry's main office is ``office_id`` (in ``phase``)."""
    for phase_id, _heading, steps in shown.phases:
        for step in steps:
            if pack.entry(step.entry).offices[:1] == (office_id,) and phase in (None, phase_id):
                return step
    raise AssertionError(f"no step with {office_id} as its main office")


def branch(pack, branch_id):
    return next(b for b in pack.directory.branches if b.id == branch_id)


def test_the_office_in_riga_is_a_riga_branch(pack):
    step = step_with_office(presented(pack, IN_RIGA), pack, "ocma", "first_week")
    card = step.office
    assert branch(pack, card["id"]).city == "riga" and card["office"] == "ocma"
    assert card["id"] == pack.directory.route("ocma", "riga", pack.entry(step.entry).topic).branch.id
    assert "note" not in card  # in the city itself: no "the nearest branch is ... km away"


@pytest.mark.parametrize("city", ["sigulda", "cesis", "kraslava"])
def test_a_small_town_gets_the_nearest_branch_with_its_distance(pack, city):
    step = step_with_office(presented(pack, {**IN_RIGA, "city": city}, "lv"), pack, "ocma", "first_week")
    topic = pack.entry(step.entry).topic
    here = pack.directory.cities[city].coordinates
    nearest = min(pack.directory.branches_of("ocma", topic), key=lambda b: distance_km(here, b.coordinates))
    assert nearest.city != city
    assert step.office["id"] == nearest.id
    km = round(round(distance_km(here, nearest.coordinates), 1))  # the directory gives the distance to 0.1 km
    assert step.office["note"] == f"Tuvākā filiāle ir {km} km no pilsētas {pack.directory.cities[city].name_in('lv')}:"


def test_steps_before_leaving_that_an_embassy_takes_are_done_from_abroad(pack):
    shown = presented(pack, {**IN_RIGA, "location": "abroad"})
    assert shown.phases[0][0] == "before_leaving"
    routed = [s for s in shown.phases[0][2] if pack.directory.branches_of(pack.entry(s.entry).offices[0])]
    consular = [s for s in routed if pack.settings.consular_office in pack.entry(s.entry).offices]
    assert consular and len(consular) < len(routed)
    for step in consular:
        assert step.office["office"] == pack.settings.consular_office == "mfa_consular"
        assert step.office["note"].startswith("From abroad")
    # what someone in Latvia does for the person (the employer at NVA): at the office in the person's city
    vacancy = next(s for s in routed if s.id == "vacancy_registration")
    assert vacancy.office["office"] == "nva" and branch(pack, vacancy.office["id"]).city == "riga"
    # once in Latvia, the same office is the branch in the person's city
    later = step_with_office(shown, pack, "ocma", "first_week")
    assert branch(pack, later.office["id"]).city == "riga"


def test_without_a_city_an_office_has_its_national_contacts(pack):
    for city in (None, ABROAD):
        step = step_with_office(presented(pack, {**IN_RIGA, "city": city}, "ru"), pack, "ocma", "first_week")
        assert step.office == national_card(pack.offices["ocma"], "ru")


def test_an_entry_without_an_office_has_no_card(pack):
    shown = presented(pack, IN_RIGA)
    without = [s for s in shown.steps() if not pack.entry(s.entry).offices]
    assert without
    assert all(s.office is None for s in without)


def test_the_plan_keeps_the_builders_steps_order_and_conditions(pack):
    answers = {"location": "abroad", "citizenship": None, "purpose": "work", "city": "jelgava", "family": None, "when": None}
    plan = build_plan(pack.plan, answers)
    shown = present_plan(pack, plan, "uk", NOW)
    assert [(p.step.id, p.conditional) for p in plan.steps()] == [(s.id, s.conditional) for s in shown.steps()]
    assert [phase for phase, _ in plan.phases] == [phase for phase, _h, _s in shown.phases]
    conditional = {s.id for s in shown.steps() if s.conditional}
    assert "vacancy_registration" in conditional  # for third-country citizens: the citizenship was skipped
    assert "bank_account" not in conditional
    assert shown.conditional_note == pack.plan.texts["conditional"]["uk"]


def test_a_language_without_the_text_gets_the_source_languages(pack):
    entry = pack.entry("banking.open_account")
    topic = pack.topics[entry.topic]
    english_only = dataclasses.replace(entry, translations={"en": entry.translations["en"]})
    topics = {**pack.topics, topic.id: dataclasses.replace(topic, entries={**topic.entries, entry.key: english_only})}
    content = PlanContent(
        questions=pack.plan.questions,
        steps=(
            PlanStep(id="bank", entry=entry.id, phase="first_month", when={"family": frozenset({"alone"})}, after=()),
            PlanStep(id="gone", entry="banking.no_such_entry", phase="first_month", when={}, after=()),
        ),
        phases={"first_month": {"en": "First month"}},
        texts={"intro": {"en": "Your plan:", "lv": "Jūsu plāns:"}},
        commands={},
        reviewed=date(2026, 12, 1),
    )
    small = dataclasses.replace(pack, topics=topics, plan=content)
    shown = present_plan(small, build_plan(content, {"family": None}), "lv", NOW)
    assert shown.intro == "Jūsu plāns:"
    assert shown.conditional_note == ""
    assert shown.phases[0][1] == "First month"
    (step,) = shown.steps()  # the step whose entry no longer exists is left out
    assert (step.title, step.answer, step.conditional) == (entry.translations["en"].title, entry.translations["en"].answer, True)


def test_the_key_is_stable_short_and_tells_plans_apart(pack):
    key = presented(pack, IN_RIGA).key
    assert re.fullmatch(r"[0-9a-f]{16}", key)
    assert presented(pack, dict(IN_RIGA)).key == key
    assert plan_key(IN_RIGA, "en") == key
    assert plan_key({**IN_RIGA, "when": None, "extra": None}, "en") == key  # None is "not answered" either way
    assert plan_key(IN_RIGA, "lv") != key
    assert plan_key({**IN_RIGA, "city": "jelgava"}, "en") != key
    assert not any(value in key for value in IN_RIGA.values() if value)


def test_a_pack_without_a_plan_cannot_present_one(pack):
    with pytest.raises(ValueError, match="no plan"):
        present_plan(dataclasses.replace(pack, plan=None), build_plan(pack.plan, IN_RIGA), "en", NOW)
