"""A person's plan as they see it: every step's entry text, office and sources in their language.

One presentation for the chat reply, the web page (``bot.core.plan.page``) and
the PDF (``bot.core.plan.pdf``), so the three never disagree. Each step shows
the title and short answer of its knowledge-base entry (the source
language's when the person's language lacks it), the card of the entry's
main office and the entry's sources and review date.

The main office is chosen as ``actions.routing`` chooses it for a chat
answer (this module cannot import ``actions``: the page is served by the
Rasa server, where the action server's services are not set up):

- an office with branches is shown as its branch in or nearest to the
  person's city (a note gives the distance when it is in another town); a
  step *before leaving* is done from abroad, so it gets the country's
  embassies and consulates instead (the pack's ``settings.consular_office``);
- an office without branches, or one with branches while the city is not
  known, is shown with its national contacts;
- an entry that names no office has no card.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from bot.core.content.model import Entry, Office, Pack
from bot.core.i18n import translator
from bot.core.offices.render import national_card, office_card
from bot.core.plan.build import BEFORE_LEAVING, Plan

#: The city answer (and ``actions.routing``'s place) of a person not in the country yet.
ABROAD = "abroad"
#: Plan text keys (``plan.yml``'s ``texts``).
INTRO, CONDITIONAL = "intro", "conditional"


@dataclass(frozen=True)
class PresentedStep:
    """One step as shown: its entry's title and short answer, its office's card, sources and review date."""

    id: str
    entry: str
    title: str
    answer: str
    #: the card of the entry's main office (``bot.core.offices.render.office_card``'s keys), None when it names none
    office: dict[str, Any] | None
    sources: tuple[str, ...]
    reviewed: date
    #: kept only because a question that decides it was skipped (say so beside it)
    conditional: bool


@dataclass(frozen=True)
class PresentedPlan:
    """A plan in one language, phase by phase."""

    lang: str
    intro: str
    #: a stable 16-hex hash of the answers and language, what the widget keeps ticks under; it holds no answer, though
    #: the answers are few enough to be found by trying them all, so it stays where the plan is (the person's browser)
    key: str
    #: (phase id, heading in ``lang``, steps)
    phases: tuple[tuple[str, str, tuple[PresentedStep, ...]], ...]
    #: what stands beside a conditional step ("if this applies to you"), in ``lang``
    conditional_note: str = ""

    def steps(self) -> list[PresentedStep]:
        """Every step, in the plan's order."""
        return [step for _phase, _heading, steps in self.phases for step in steps]


def plan_key(answers: Mapping[str, str | None], lang: str) -> str:
    """16 hex digits that stay the same for the same answers and language (and differ otherwise)."""
    text = json.dumps({"answers": sorted((k, v) for k, v in answers.items() if v is not None), "lang": lang}, separators=(",", ":"))
    return hashlib.sha256(b"migrant-bot plan key\0" + text.encode("utf-8")).hexdigest()[:16]


def abroad_card(pack: Pack, lang: str) -> dict[str, Any] | None:
    """The card of the pack's consular office for someone still abroad, under the pack's ``abroad_note``; None without one.

    ``actions.routing`` shows the same card in a chat answer.
    """
    consular = pack.offices.get(pack.settings.consular_office or "")
    if consular is None:
        return None
    card = national_card(consular, lang)
    note = pack.settings.text("abroad_note", lang, pack.default_language)
    return {"note": note, **card} if note else card


def _branch_card(pack: Pack, office: Office, city: str, topic_id: str, lang: str, now: datetime) -> dict[str, Any] | None:
    route = pack.directory.route(office.id, city, topic_id)
    if route is None:
        return None
    card = office_card(route.branch, lang, now)
    if office.website:
        card.setdefault("website", office.website)
    if city in pack.directory.cities and not route.in_city:
        _ = translator(lang)
        city_name = pack.directory.cities[city].name_in(lang)
        lead = _("The nearest branch is {distance} km from {city}:").format(distance=round(route.distance_km), city=city_name)
        card = {"note": lead, **card}
    return card


def main_office_card(pack: Pack, entry: Entry, place: str | None, lang: str, now: datetime) -> dict[str, Any] | None:
    """The card of ``entry``'s main (first) office for a person in ``place`` (a city id, ``ABROAD`` or None).

    The choice ``actions.routing.office_cards`` makes for the main office:
    see the module docstring. None when the entry names no office the pack has.
    """
    main = entry.offices[0] if entry.offices else None
    office = pack.offices.get(main) if main else None
    if office is None:
        known = [pack.offices[o] for o in entry.offices if o in pack.offices]
        return national_card(known[0], lang) if known else None
    card: dict[str, Any] | None = None
    if pack.directory.branches_of(office.id):
        if place == ABROAD:
            card = abroad_card(pack, lang)
        elif place:
            card = _branch_card(pack, office, place, entry.topic, lang, now)
    return card or national_card(office, lang)


def step_place(phase: str, answers: Mapping[str, str | None], pack: Pack, entry: Entry) -> str | None:
    """Where the step is done: the person's city (None when unknown), or abroad.

    Abroad only for a step before leaving that an embassy takes (its entry
    names the consular office: a visa, a permit handed in abroad); a step
    before leaving that someone in the country takes for the person (the employer
    registers the vacancy at NVA, the family member there files the call
    at PMLP) or that is done online is done in the city the person moves to.
    """
    if phase == BEFORE_LEAVING and pack.settings.consular_office in entry.offices:
        return ABROAD
    city = answers.get("city")
    return city if city in pack.directory.cities else None


def present_plan(pack: Pack, plan: Plan, lang: str, now: datetime) -> PresentedPlan:
    """``plan`` in ``lang``: see the module docstring. A step whose entry no longer exists is left out."""
    content = pack.plan
    if content is None:
        raise ValueError(f"the pack '{pack.id}' has no plan (plan.yml)")
    fallback = pack.default_language
    phases = []
    for phase, planned in plan.phases:
        steps = []
        for item in planned:
            entry = pack.entry(item.step.entry)
            if entry is None:
                continue
            place = step_place(phase, plan.answers, pack, entry)
            text = entry.text_in(lang)
            steps.append(
                PresentedStep(
                    id=item.step.id,
                    entry=entry.id,
                    title=text.title or entry.id,
                    answer=text.answer or "",
                    office=main_office_card(pack, entry, place, lang, now),
                    sources=entry.sources,
                    reviewed=entry.reviewed,
                    conditional=item.conditional,
                )
            )
        if steps:
            phases.append((phase, content.heading(phase, lang, fallback), tuple(steps)))
    return PresentedPlan(
        lang=lang,
        intro=content.text(INTRO, lang, fallback),
        key=plan_key(plan.answers, lang),
        phases=tuple(phases),
        conditional_note=content.text(CONDITIONAL, lang, fallback),
    )
