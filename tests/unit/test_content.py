"""The content pack: loading, checking, stamping and building.

The code is tested on the tests' own pack (``fixture_pack``, copies of it in tmp_path: tests/data/fixture/);
only the tests named "the pack ..." check the real content (``pack``): docs/testing.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.content.build import build
from bot.core.content.check import MIN_EXAMPLES, check_pack
from bot.core.content.loader import ContentError, load_pack
from bot.core.content.model import CONVERSATION_LABELS
from bot.core.content.stamp import stamp
from bot.core.settings import PROJECT_ROOT, Settings

TOPIC_IDS = {
    "visa_short_stay", "visa_long_stay", "residence_permit", "permanent_residence", "work_permit", "blue_card",
    "study", "family_reunification", "international_protection", "qualification_recognition", "language_courses",
    "job_search", "address_registration", "healthcare", "children_education", "housing", "taxes", "social_support",
    "business_startup", "citizenship", "anti_discrimination", "integration_programmes", "emergency",
    "driving_licence", "banking",
}  # fmt: skip
OFFICE_IDS = {"ocma", "nva", "lva", "aic", "visc", "vid", "nvd", "ur", "csdd", "ombudsman", "mfa_consular", "municipality", "emergency_112"}


def edit_topic(settings: Settings, topic: str, change) -> None:
    path = settings.pack_dir / "topics" / f"{topic}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_the_pack_covers_content_scope(pack):
    assert set(pack.topics) == TOPIC_IDS
    assert set(pack.offices) == OFFICE_IDS
    assert set(pack.labels) == set(CONVERSATION_LABELS)
    for lang in pack.languages:  # a language of languages.yml has its catalog of interface texts
        assert (PROJECT_ROOT / "locales" / lang / "LC_MESSAGES" / "messages.po").exists(), lang


def test_the_pack_is_complete(pack):
    assert [str(f) for f in check_pack(pack)] == []


def test_the_fixture_pack_is_complete(fixture_pack):
    # the tests below expect exactly the problems they make: the fixture has none of its own
    assert [str(f) for f in check_pack(fixture_pack)] == []


def test_every_topic_has_sources_and_a_review_date(pack):
    for topic in pack.topics.values():
        assert topic.sources, topic.id
        assert all(url.startswith("https://") for url in topic.sources)
        assert topic.reviewed.year >= 2025


def test_missing_translation_is_an_error(fixture_data_copy):
    edit_topic(fixture_data_copy, "residence_permit", lambda d: d["translations"].pop("uk"))
    findings = check_pack(load_pack(fixture_data_copy))
    assert any(f.severity == "error" and "residence_permit" in f.where and "'uk' translation is missing" in f.message for f in findings)


def test_too_few_examples_is_an_error(fixture_data_copy):
    edit_topic(fixture_data_copy, "language_courses", lambda d: d["translations"]["lv"].update(examples=["konts"]))
    findings = check_pack(load_pack(fixture_data_copy))
    assert any("language_courses" in f.where and f"at least {MIN_EXAMPLES}" in f.message for f in findings)


def test_changed_source_makes_translations_stale_until_stamped(fixture_data_copy):
    edit_topic(fixture_data_copy, "taxes", lambda d: d["translations"]["en"].update(answer="A new fee: EUR 10."))
    pack = load_pack(fixture_data_copy)
    translated = sorted(lang for lang in pack.languages if lang != pack.topics["taxes"].source_language)
    stale = sorted(f.message.split("'")[1] for f in check_pack(pack) if "does not follow" in f.message and f.where == "topics/taxes.yml")
    assert stale == translated
    assert stamp(pack, lang=translated[0], topic="taxes") == 1
    remaining = [f for f in check_pack(load_pack(fixture_data_copy)) if "does not follow" in f.message and f.where == "topics/taxes.yml"]
    assert sorted(f.message.split("'")[1] for f in remaining) == translated[1:]


def test_a_translation_with_other_numbers_is_an_error_unless_it_is_out_of_date(fixture_data_copy):
    def lv_fee(d):
        d["entries"]["tax_return"]["translations"]["lv"]["answer"] += " Nodeva 99 EUR."

    edit_topic(fixture_data_copy, "taxes", lv_fee)
    findings = [f for f in check_pack(load_pack(fixture_data_copy)) if "numbers differ" in f.message]
    got = [(f.severity, f.where, f.message.split(": it ")[1]) for f in findings]
    assert got == [("error", "topics/taxes.yml (entry tax_return)", "adds 99")]
    # the source changed: the translation is out of date, and so are its numbers (a warning until it is updated)
    edit_topic(fixture_data_copy, "taxes", lambda d: d["entries"]["tax_return"]["translations"]["en"].update(answer="Changed: EUR 5."))
    findings = [f for f in check_pack(load_pack(fixture_data_copy)) if "numbers differ" in f.message and "tax_return" in f.where]
    assert {f.severity for f in findings} == {"warning"} and len(findings) == len(load_pack(fixture_data_copy).languages) - 1


def test_stamp_marks_entries_too_and_quotes_fingerprints(fixture_data_copy):
    edit_topic(fixture_data_copy, "taxes", lambda d: d["entries"]["tax_return"]["translations"]["en"].update(answer="Changed."))
    assert stamp(load_pack(fixture_data_copy), lang="uk", topic="taxes") == 1
    reloaded = load_pack(fixture_data_copy).topics["taxes"].entries["tax_return"]
    assert not reloaded.is_stale("uk") and reloaded.is_stale("lv")
    text = (fixture_data_copy.pack_dir / "topics" / "taxes.yml").read_text(encoding="utf-8")
    assert f'translated_from: "{reloaded.source_fingerprint()}"' in text


def test_stamp_keeps_the_file_readable(fixture_data_copy):
    edit_topic(fixture_data_copy, "taxes", lambda d: d["translations"]["en"].update(answer="Changed."))
    stamp(load_pack(fixture_data_copy), topic="taxes")
    reloaded = load_pack(fixture_data_copy)
    assert reloaded.topics["taxes"].translations["en"].answer == "Changed."
    assert not any(reloaded.topics["taxes"].is_stale(lang) for lang in reloaded.languages)


def test_duplicate_example_across_topics_is_an_error(fixture_data_copy):
    example = load_pack(fixture_data_copy).topics["residence_permit"].translations["en"].examples[0]
    edit_topic(fixture_data_copy, "language_courses", lambda d: d["translations"]["en"]["examples"].append(example))
    duplicates = [f for f in check_pack(load_pack(fixture_data_copy)) if "is also used for" in f.message]
    assert [(f.where, f.message.split("also used for ")[1]) for f in duplicates] == [("residence_permit", "'language_courses'")]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(offices=["nowhere"]), "office 'nowhere' does not exist"),
        (lambda d: d.update(sources=["ftp://example.org"]), "is not a valid https:// address"),
        (lambda d: d.update(reviewed="last week"), "'reviewed' must be a date"),
        (lambda d: d["translations"].update(xx={"answer": "?"}), "language 'xx' is not in data/languages.yml"),
        (lambda d: d.update(id="other"), "'id' must be 'residence_permit'"),
    ],
)
def test_structural_errors_stop_loading_with_a_clear_message(fixture_data_copy, change, message):
    edit_topic(fixture_data_copy, "residence_permit", change)
    with pytest.raises(ContentError) as error:
        load_pack(fixture_data_copy)
    assert any(message in problem and "residence_permit.yml" in problem for problem in error.value.problems)


def test_broken_yaml_is_reported_with_its_file(fixture_data_copy):
    (fixture_data_copy.pack_dir / "topics" / "residence_permit.yml").write_text("id: residence_permit\n  bad: [indent", encoding="utf-8")
    with pytest.raises(ContentError) as error:
        load_pack(fixture_data_copy)
    assert "residence_permit.yml: cannot be read" in str(error.value)


def test_build_generates_every_intent_rule_and_slot(fixture_pack, tmp_path):
    out = build(fixture_pack, tmp_path / "build")
    nlu = yaml.safe_load((out / "data" / "nlu.yml").read_text(encoding="utf-8"))
    rules = yaml.safe_load((out / "data" / "rules.yml").read_text(encoding="utf-8"))
    domain = yaml.safe_load((out / "domain" / "generated.yml").read_text(encoding="utf-8"))
    responses = yaml.safe_load((out / "data" / "responses.yml").read_text(encoding="utf-8"))
    # a topic is a retrieval intent: its overview and each entry are its responses
    retrieval = {f"{t.id}/overview" for t in fixture_pack.topics.values()}
    retrieval |= {f"{e.topic}/{e.key}" for t in fixture_pack.topics.values() for e in t.entries.values()}
    intents = {item["intent"] for item in nlu["nlu"]}
    assert intents == retrieval | set(CONVERSATION_LABELS)
    assert set(responses["responses"]) == {f"utter_{r}" for r in retrieval}
    # plan_step: only a button's payload; inform_city: only the Rasa server's CityReplyRecognizer
    topic_ids = set(fixture_pack.topics)
    assert set(domain["intents"]) == topic_ids | set(CONVERSATION_LABELS) | {"plan_step", "inform_city"}
    first_steps = [r["steps"][0] for r in rules["rules"]]
    assert {s["intent"] for s in first_steps if "intent" in s} == topic_ids | set(CONVERSATION_LABELS) | {
        "nlu_fallback",
        "plan_step",
        "inform_city",
    }
    residence = next(item for item in nlu["nlu"] if item["intent"] == "residence_permit/overview")["examples"]
    for lang in fixture_pack.languages:  # every language's examples end up in the one intent
        assert fixture_pack.topics["residence_permit"].translations[lang].examples[1] in residence
    assert (out / "domain" / "_shared.yml").exists()


def test_build_generates_the_plan_interview_as_a_rasa_form(fixture_pack, tmp_path):
    out = build(fixture_pack, tmp_path / "build")
    rules = yaml.safe_load((out / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
    domain = yaml.safe_load((out / "domain" / "generated.yml").read_text(encoding="utf-8"))
    assert domain["forms"]["plan_form"]["required_slots"] == [f"plan_{q.id}" for q in fixture_pack.plan.questions]
    assert {"validate_plan_form", "action_show_plan", "action_plan_step", "action_ask_plan_city"} <= set(domain["actions"])
    start = next(r for r in rules if r["steps"][0].get("intent") == "plan")
    assert start["steps"][1:] == [{"action": "action_start_plan"}, {"action": "plan_form"}, {"active_loop": "plan_form"}]
    done = next(r for r in rules if r.get("condition") == [{"active_loop": "plan_form"}])
    assert done["steps"][-1] == {"action": "action_show_plan"}


def test_a_pack_without_a_plan_builds_no_form(fixture_data_copy, tmp_path):
    (fixture_data_copy.pack_dir / "plan.yml").unlink()
    pack = load_pack(fixture_data_copy)
    assert pack.plan is None
    out = build(pack, tmp_path / "build")
    domain = yaml.safe_load((out / "domain" / "generated.yml").read_text(encoding="utf-8"))
    assert "forms" not in domain and "plan_step" not in domain["intents"]


def test_build_strips_markup_and_slashes_from_examples(fixture_data_copy, tmp_path):
    edit_topic(fixture_data_copy, "residence_permit", lambda d: d["translations"]["en"]["examples"].append("/rent a [flat](place) {x}"))
    nlu = yaml.safe_load((build(load_pack(fixture_data_copy), tmp_path / "b") / "data" / "nlu.yml").read_text(encoding="utf-8"))
    residence = next(item for item in nlu["nlu"] if item["intent"] == "residence_permit/overview")["examples"]
    assert "- rent a flat (place) x\n" in residence


# --- office and branch data a user sees (docs/office-directory.md) -----------------------------


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def edit_branch(settings: Settings, office: str, branch_id: str, change) -> None:
    def apply(data):
        change(next(b for b in data["branches"] if b["id"] == branch_id))

    edit_yaml(settings.pack_dir / "branches" / f"{office}.yml", apply)


def office_findings(settings: Settings) -> list[str]:
    return [str(f) for f in check_pack(load_pack(settings)) if "offices.yml" in f.where or "branches/" in f.where]


def test_office_and_branch_data_is_complete_in_every_language(pack):
    for office in pack.offices.values():
        assert set(office.name) == set(pack.languages), office.id
        assert not office.address_note or set(office.address_note) == set(pack.languages), office.id
    for branch in pack.directory.branches:
        assert set(branch.name) == set(pack.languages), branch.id
        assert not branch.address_note or set(branch.address_note) == set(pack.languages), branch.id


def test_address_notes_are_read_per_language(fixture_pack):
    ocma = fixture_pack.offices["ocma"]
    assert ocma.address == "Testa iela 1, Rīga, LV-1000"
    assert (ocma.address_note_in("en"), ocma.address_note_in("lv")) == ("entrance from the yard", "ieeja no pagalma")
    riga = next(b for b in fixture_pack.directory.branches if b.id == "ocma_riga")
    assert (riga.address, riga.address_note_in("uk")) == ("Testa iela 1, Rīga, LV-1000", "6-й вхід")
    assert riga.address_note_in("ar") is None  # never another language's note


def test_a_note_in_the_address_is_an_error(fixture_data_copy):
    edit_branch(fixture_data_copy, "ocma", "ocma_riga", lambda b: b.update(address="Testa iela 1 (6. ieeja), Rīga"))
    assert any("ocma_riga" in f and "holds a note in brackets" in f for f in office_findings(fixture_data_copy))


def test_a_missing_note_language_is_an_error(fixture_data_copy):
    edit_branch(fixture_data_copy, "ocma", "ocma_riga", lambda b: b["address_note"].pop("uk"))
    assert any("ocma_riga" in f and "no address note in 'uk'" in f for f in office_findings(fixture_data_copy))


def test_a_branch_named_differently_from_its_office_is_an_error(fixture_data_copy):
    # issue 15: VISC had two Ukrainian names in one answer
    edit_branch(fixture_data_copy, "visc", "visc_riga", lambda b: b["name"].update(uk="Центр мовної освіти (VISC), Рига"))
    found = office_findings(fixture_data_copy)
    assert any("visc_riga" in f and "'uk' name" in f and "Мовний центр" in f for f in found), found


def test_a_name_ending_in_its_own_abbreviation_is_an_error(fixture_data_copy):
    # issue 15: "Єдиний номер екстреної допомоги 112 (112)"
    path = fixture_data_copy.pack_dir / "offices.yml"
    edit_yaml(path, lambda d: d["offices"]["emergency_112"]["name"].update(uk="Єдиний номер екстреної допомоги 112"))
    assert any("emergency_112" in f and "'uk' name ends in the abbreviation '112'" in f for f in office_findings(fixture_data_copy))


def test_an_address_note_must_map_languages(fixture_data_copy):
    edit_yaml(fixture_data_copy.pack_dir / "offices.yml", lambda d: d["offices"]["ocma"].update(address_note="6th entrance"))
    with pytest.raises(ContentError) as error:
        load_pack(fixture_data_copy)
    assert any("'address_note' must map language codes" in p for p in error.value.problems)


def test_an_office_without_an_abbreviation_is_shown_by_its_name(fixture_pack):
    municipality = fixture_pack.offices["municipality"]
    assert municipality.short == "" and municipality.name_in("lv") == "pašvaldība"


def test_a_held_out_question_is_found_among_the_examples_whatever_its_punctuation_and_case(fixture_pack):
    example = fixture_pack.topics["taxes"].translations["en"].examples[0]
    findings = [str(f) for f in check_pack(fixture_pack, held_out=[f"  {example.upper()}?! "])]
    assert any("is a held-out question" in f and "taxes" in f for f in findings), findings
    assert check_pack(fixture_pack, held_out=[f"{example} please"]) == []  # another question is not one
