"""The edits of the pack's YAML files (bot.staff.edits) on small files in memory: the exact text each writes back."""

from __future__ import annotations

from datetime import date

from bot.staff import yamledit
from bot.staff.edits import offices, plan, topics

TOPIC = """\
# a comment stays
id: taxes
offices: [vid]
sources:
  - https://example.org/a
reviewed: 2026-01-15
source_language: en
translations:
  en:
    title: Taxes
    answer: Pay 5 EUR.
  lv:
    title: Nodokļi
    translated_from: "{fingerprint}"
    answer: Maksājiet 5 EUR.
"""


def _topic() -> str:
    data = yamledit.load(TOPIC.format(fingerprint=""))
    return TOPIC.format(fingerprint=yamledit.source_fingerprint(data, "en"))


def test_unchanged_topic_facts_keep_their_text():
    data = yamledit.load(_topic())
    topics.set_topic_facts(data, ["vid"], ["https://example.org/a"], "2026-01-15")
    assert yamledit.dump(data) == _topic()


def test_topic_facts_are_written_as_the_pack_writes_them():
    data = yamledit.load(_topic())
    topics.set_topic_facts(data, ["vid", "ocma"], ["https://example.org/b"], "05.12.2026")
    expected = _topic().replace("offices: [vid]", "offices: [vid, ocma]").replace("example.org/a", "example.org/b")
    assert yamledit.dump(data) == expected.replace("reviewed: 2026-01-15", "reviewed: 2026-12-05")


def test_a_review_date_goes_after_the_sources_when_new():
    data = yamledit.load("id: x\nsources:\n  - s\nsource_language: en\n")
    topics.set_reviewed(data, date(2026, 3, 4))
    assert yamledit.dump(data) == "id: x\nsources:\n  - s\nreviewed: 2026-03-04\nsource_language: en\n"


def test_a_minor_edit_of_the_source_keeps_the_translations_that_followed_it():
    data = yamledit.load(_topic())
    old = yamledit.source_fingerprint(data, "en")
    values = {"title": "Taxes", "answer": "Pay 5 EUR at once.", "examples": []}
    written = topics.write_language_text(data, "en", "en", values, minor_edit=True, up_to_date=False)
    new = yamledit.source_fingerprint(data, "en")
    assert new != old and written == topics.TextWritten(follows="", kept=["lv"])
    assert written.recorded() == {"translated_from": None, "minor_edit_kept": ["lv"]}
    assert yamledit.dump(data) == TOPIC.format(fingerprint=new).replace("Pay 5 EUR.", "Pay 5 EUR at once.")


def test_an_edit_of_the_source_that_is_not_minor_leaves_the_translations_behind():
    data = yamledit.load(_topic())
    values = {"title": "Taxes", "answer": "Pay 5 EUR at once."}
    written = topics.write_language_text(data, "en", "en", values, minor_edit=False, up_to_date=True)
    assert written.recorded() == {"translated_from": None} and written.kept is None
    assert yamledit.dump(data) == _topic().replace("Pay 5 EUR.", "Pay 5 EUR at once.")


def test_a_translation_marked_up_to_date_records_the_source_fingerprint():
    data = yamledit.load("source_language: en\ntranslations:\n  en:\n    title: T\n    answer: A\n")
    written = topics.write_language_text(data, "ru", "en", {"title": "Т", "answer": "А\nБ"}, minor_edit=False, up_to_date=True)
    fingerprint = yamledit.source_fingerprint(data, "en")
    assert written.recorded() == {"translated_from": fingerprint}
    assert yamledit.dump(data) == (
        "source_language: en\ntranslations:\n  en:\n    title: T\n    answer: A\n"
        f'  ru:\n    title: Т\n    translated_from: "{fingerprint}"\n    answer: |-\n      А\n      Б\n'
    )


OFFICE = """\
ocma:
  name:
    en: Office
    lv: Birojs
  short: OCMA
  aliases: [a]
  phone: +371 1
  sources:
    - https://example.org/o
  reviewed: 2026-01-15
"""

OFFICE_FIELDS = ("short", "website", "phone", "email", "address")


def _office_values(**changes: object) -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(OFFICE_FIELDS, "")
    values.update(short="OCMA", phone="+371 1", name={"en": "Office", "lv": "Birojs"})
    values.update(sources=["https://example.org/o"], reviewed="2026-01-15")
    values.update(changes)
    return values


def test_an_office_gets_new_fields_after_the_ones_before_and_a_quoted_phone():
    data = yamledit.load(OFFICE)
    offices.write_office(data["ocma"], _office_values(website="https://o", phone="+371 2", name={"en": "", "lv": "Birojs"}), OFFICE_FIELDS)
    assert yamledit.dump(data) == OFFICE.replace("    en: Office\n", "").replace(
        "short: OCMA\n", "short: OCMA\n  website: https://o\n"
    ).replace("phone: +371 1", 'phone: "+371 2"')


def test_empty_office_fields_are_removed():
    data = yamledit.load(OFFICE)
    offices.write_office(data["ocma"], _office_values(short="", phone="", sources=[], reviewed=""), OFFICE_FIELDS)
    assert yamledit.dump(data) == "ocma:\n  name:\n    en: Office\n    lv: Birojs\n  aliases: [a]\n"


BRANCH = """\
  - id: b
    name:
      en: Branch
    city: riga
    sources:
      - s
"""

BRANCH_FIELDS = ("city", "address", "phone", "email", "website", "booking")
NO_HOURS = dict.fromkeys(("mon", "tue", "wed", "thu", "fri", "sat", "sun"), "")


def test_a_branch_gets_its_hours_as_flow_lists_of_every_weekday():
    data = yamledit.load(BRANCH)
    values = {**dict.fromkeys(BRANCH_FIELDS, ""), "city": "riga", "name": {"en": "Branch"}, "sources": ["s"], "reviewed": ""}
    values["hours"] = {**NO_HOURS, "mon": "08:30-12:00, 13:00-17:00 ,", "fri": "09:00-12:00"}
    offices.write_branch(data[0], values, BRANCH_FIELDS)
    hours = '    hours:\n      mon: ["08:30-12:00", "13:00-17:00"]\n      tue: []\n      wed: []\n      thu: []\n'
    hours += '      fri: ["09:00-12:00"]\n      sat: []\n      sun: []\n'
    assert yamledit.dump(data) == BRANCH.replace("    sources:\n", hours + "    sources:\n")
    values["hours"] = NO_HOURS
    offices.write_branch(data[0], values, BRANCH_FIELDS)
    assert yamledit.dump(data) == BRANCH


PLAN = """\
texts:
  start:
    en: "Hello"
    lv: Sveiki
commands:
  stop:
    en: [stop, enough,
      no more]
steps:
  # ---- before leaving ----
  - id: one
    entry: t.one
    phase: before_leaving
    when: {purpose: [work]}

  # ---- the first week ----
  - id: two
    entry: t.two
    phase: first_week
    after: [one]
"""
TEXTS, STEPS = PLAN.split("steps:\n")


def _step(entry: str, phase: str, **changes: object) -> dict[str, object]:
    return {"entry": entry, "phase": phase, "when": {}, "unless": {}, "after": [], **changes}


def test_an_unchanged_plan_is_written_as_it_was_wrapped_lists_of_words_too():
    assert plan.dump_plan(PLAN, yamledit.load(PLAN)) == PLAN


def test_a_new_step_goes_at_the_end_of_its_phase_before_the_next_heading():
    data = yamledit.load(PLAN)
    plan.add_step(data, "three", _step("t.three", "before_leaving", when={"purpose": ["work", "study"]}, after=["one"]))
    assert plan.dump_plan(PLAN, data) == TEXTS + (
        "steps:\n"
        "  # ---- before leaving ----\n"
        "  - id: one\n    entry: t.one\n    phase: before_leaving\n    when: {purpose: [work]}\n"
        "  - id: three\n    entry: t.three\n    phase: before_leaving\n    when: {purpose: [work, study]}\n    after: [one]\n"
        "\n"
        "  # ---- the first week ----\n"
        "  - id: two\n    entry: t.two\n    phase: first_week\n    after: [one]\n"
    )


def test_a_new_step_makes_the_list_of_steps_when_there_is_none():
    data = yamledit.load("source_language: en\n")
    plan.add_step(data, "one", _step("t.one", "first_week"))
    assert plan.dump_plan("", data) == "source_language: en\nsteps:\n  - id: one\n    entry: t.one\n    phase: first_week\n"


def test_a_step_moved_to_a_later_phase_goes_to_its_end_and_its_heading_stays():
    data = yamledit.load(PLAN)
    index, raw = plan.find_step(data, "one") or (None, None)
    assert index == 0 and plan.find_step(data, "none") is None
    before = _step("t.one", "before_leaving", when={"purpose": ["work"]})
    plan.write_step(data, raw, before, _step("t.one", "first_year", unless={"citizenship": ["eu"]}))
    assert plan.dump_plan(PLAN, data) == TEXTS + (
        "steps:\n"
        "  # ---- before leaving ----\n"
        "\n"
        "  # ---- the first week ----\n"
        "  - id: two\n    entry: t.two\n    phase: first_week\n    after: [one]\n"
        "  - id: one\n    entry: t.one\n    phase: first_year\n    unless: {citizenship: [eu]}\n"
    )


def test_unchanged_step_fields_keep_their_text():
    data = yamledit.load(PLAN)
    _index, raw = plan.find_step(data, "two") or (None, None)
    plan.write_step(data, raw, _step("t.two", "first_week", after=["one"]), _step("t.two", "first_week", after=["one"]))
    assert plan.dump_plan(PLAN, data) == PLAN


def test_a_deleted_step_leaves_the_headings():
    data = yamledit.load(PLAN)
    plan.remove_step(data, 0)
    step_one = "  - id: one\n    entry: t.one\n    phase: before_leaving\n    when: {purpose: [work]}\n"
    assert plan.dump_plan(PLAN, data) == PLAN.replace(step_one, "")


def test_texts_keep_their_quotes_and_stamps_stay_after_the_languages():
    data = yamledit.load(PLAN)
    plan.stamp_item(data, "texts.start", "lv", "5e432802")
    plan.set_item_text(data, "texts.start", "en", "Hi")
    plan.set_item_text(data, "texts.start", "ru", "Привет")
    plan.set_item_text(data, "texts.start", "lv", "")
    plan.set_item_text(data, "commands.skip", "en", ("skip", "next"))
    assert plan.dump_plan(PLAN, data) == (
        'texts:\n  start:\n    en: "Hi"\n    ru: "Привет"\n    translated_from: {lv: "5e432802"}\n'
        "commands:\n  stop:\n    en: [stop, enough,\n      no more]\n  skip:\n    en: [skip, next]\n"
        "steps:\n" + STEPS
    )


def test_a_text_written_without_quotes_stays_so():
    data = yamledit.load(PLAN)
    plan.set_item_text(data, "texts.start", "lv", "Labdien")
    assert plan.dump_plan(PLAN, data) == PLAN.replace("lv: Sveiki", "lv: Labdien")
