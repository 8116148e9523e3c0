"""The personal plan of the move (issue 21): plan.yml, its checks, reading answers and building plans."""

from __future__ import annotations

import dataclasses

import pytest
import yaml

from bot.core.content.check import check_pack
from bot.core.content.loader import ContentError, load_pack
from bot.core.content.model import Pack
from bot.core.plan.answers import SKIP, STOP, WHY, command_in, option_in
from bot.core.plan.build import Plan, build_plan
from bot.core.plan.check import check_plan, structural_problems
from bot.core.plan.model import COMMAND_KEYS, PHASES, QUESTIONS, TEXT_KEYS, PlanContent, PlanStep
from bot.core.settings import Settings


@pytest.fixture(scope="module")
def plan(pack: Pack) -> PlanContent:
    assert pack.plan is not None
    return pack.plan


def ids(result: Plan, phase: str | None = None) -> list[str]:
    """The step ids of a plan (of one phase), in order."""
    return [planned.step.id for name, steps in result.phases for planned in steps if phase in (None, name)]


def entries(result: Plan) -> list[str]:
    return [planned.step.entry for planned in result.steps()]


def before(result: Plan, first: str, then: str) -> bool:
    """True when the entry ``first`` comes before the entry ``then`` in the plan (both present)."""
    order = entries(result)
    return first in order and then in order and order.index(first) < order.index(then)


# --- the real content ---------------------------------------------------------------------------


def test_the_pack_has_a_complete_plan(pack, plan):
    languages = tuple(pack.languages)
    assert [q.id for q in plan.questions] == list(QUESTIONS)
    assert check_plan(pack) == []
    assert not [str(f) for f in check_pack(pack) if "plan" in f.where]
    for question in plan.questions:
        for lang in languages:
            assert "?" in question.text[lang], (question.id, lang)
            assert question.why[lang], (question.id, lang)
        assert bool(question.options) == (question.id != "city")
        for option in question.options:
            for lang in languages:
                assert option.label[lang], (question.id, option.id, lang)
                assert len(option.words[lang]) >= 3, (question.id, option.id, lang)
    for lang in languages:
        assert all(plan.phases[phase][lang] for phase in PHASES)
        assert all(plan.texts[key][lang] for key in TEXT_KEYS)
        assert all(plan.commands[command][lang] for command in COMMAND_KEYS)
    assert plan.reviewed.isoformat() == "2026-12-05"


def test_the_options_are_the_agreed_ones(plan):
    options = {q.id: [o.id for o in q.options] for q in plan.questions}
    assert options == {
        "location": ["abroad", "in_latvia"],
        "citizenship": ["eu", "ukraine_tp", "third_country"],
        "purpose": ["work", "study", "family", "protection", "business"],
        "city": [],
        "family": ["alone", "spouse", "children", "spouse_and_children"],
        "when": ["within_month", "within_half_year", "later"],
    }


def test_every_step_is_an_existing_entry_and_the_plan_is_a_sensible_size(pack, plan):
    assert 20 <= len(plan.steps) <= 40
    assert all(pack.entry(step.entry) is not None for step in plan.steps)
    assert len({step.entry for step in plan.steps}) == len(plan.steps)  # no entry twice in one plan
    assert plan.step("personal_code").entry == "taxes.personal_code"
    with pytest.raises(KeyError):
        plan.step("no_such_step")
    with pytest.raises(KeyError):
        plan.question("age")


def test_the_start_text_says_questions_can_be_skipped_and_nothing_personal_is_asked(pack, plan):
    start = plan.texts["start"]
    assert "skip" in start["en"] and "name" in start["en"]
    assert "izlaist" in start["lv"] and "пропустить" in start["ru"] and "пропустити" in start["uk"]
    for lang in pack.languages:
        assert all("conversation" in q.why["en"] for q in plan.questions)
        assert plan.text("skip", lang) == plan.texts["skip"][lang]
    assert plan.text("skip", "de") == "Skip"  # a language without the text: the English one
    assert plan.heading("first_week", "lv") == "Pirmā nedēļa Latvijā"


def test_the_plan_is_a_conversation_label_with_ways_of_asking(pack):
    label = pack.labels["plan"]
    for lang in pack.languages:
        assert 20 <= len(label.translations[lang].examples) <= 25


# --- building plans for real people --------------------------------------------------------------


def test_indian_software_engineer_moving_to_riga_with_his_wife(plan):
    result = build_plan(
        plan,
        {
            "location": "abroad",
            "citizenship": "third_country",
            "purpose": "work",
            "city": "riga",
            "family": "spouse",
            "when": "within_half_year",
        },
    )
    assert [phase for phase, _ in result.phases] == list(PHASES)
    assert before(result, "work_permit.vacancy_registration", "residence_permit.how_to_apply")
    assert before(result, "qualification_recognition.legalisation", "qualification_recognition.where_to_apply")
    assert before(result, "residence_permit.how_to_apply", "residence_permit.documents")
    assert before(result, "residence_permit.collecting_card", "taxes.personal_code")
    assert before(result, "taxes.personal_code", "banking.open_account")
    assert before(result, "taxes.personal_code", "healthcare.family_doctor")
    assert before(result, "taxes.eds_sign_in", "taxes.tax_return")
    assert "family_reunification.who_can_come" in entries(result)  # his wife needs her own permit
    assert "residence_permit.extension" in entries(result)
    assert "driving_licence.exchange_non_eu" in entries(result)
    assert not {"children_education.school_enrolment", "international_protection.temporary_protection", "study.student_permit"} & set(
        entries(result)
    )
    assert not any(planned.conditional for planned in result.steps())
    assert ids(result, "first_week") == ["collect_card", "personal_code"]


def test_ukrainian_mother_with_children_already_in_daugavpils(plan):
    result = build_plan(
        plan, {"location": "in_latvia", "citizenship": "ukraine_tp", "purpose": "protection", "city": "daugavpils", "family": "children"}
    )
    assert "before_leaving" not in dict(result.phases)  # she has arrived
    assert ids(result, "first_week") == ["temporary_protection", "personal_code"]
    assert before(result, "taxes.personal_code", "banking.open_account")
    assert before(result, "taxes.personal_code", "healthcare.family_doctor")
    assert before(result, "address_registration.how_to_declare", "children_education.school_enrolment")
    assert before(result, "address_registration.how_to_declare", "children_education.kindergarten")
    assert {"social_support.ukrainian_benefits", "job_search.register_unemployed", "integration_programmes.adaptation_programme"} <= set(
        entries(result)
    )
    # no residence permit of her own to apply for, collect or extend, and no driving test
    assert not [e for e in entries(result) if e.startswith("residence_permit.") or e.startswith("driving_licence.")]
    assert result.answers["when"] is None  # not answered: skipped
    assert not any(planned.conditional for planned in result.steps())  # no step depends on "when"


def test_student_from_uzbekistan_in_jelgava(plan):
    result = build_plan(
        plan, {"location": "abroad", "citizenship": "third_country", "purpose": "study", "city": "jelgava", "family": "alone"}
    )
    assert before(result, "qualification_recognition.where_to_apply", "study.student_permit")
    assert before(result, "study.student_permit", "residence_permit.health_insurance")
    assert "residence_permit.extension" in entries(result)  # the card is renewed every year
    assert not {"work_permit.vacancy_registration", "residence_permit.how_to_apply", "family_reunification.who_can_come"} & set(
        entries(result)
    )
    assert "language_courses.test_registration" not in entries(result)  # for work only


def test_eu_citizen_moving_to_liepaja_needs_no_permit(plan):
    result = build_plan(plan, {"location": "abroad", "citizenship": "eu", "purpose": "work", "city": "liepaja", "family": "alone"})
    found = entries(result)
    assert not [e for e in found if e.startswith(("residence_permit.", "work_permit.", "visa_long_stay.", "study."))]
    assert "qualification_recognition.legalisation" not in found  # EU documents need no certification
    assert "driving_licence.exchange_non_eu" not in found
    assert "integration_programmes.adaptation_programme" not in found  # for third-country nationals
    assert ids(result, "before_leaving") == ["diploma_recognition"]
    assert before(result, "taxes.personal_code", "banking.open_account")
    assert before(result, "language_courses.free_courses", "language_courses.test_registration")


def test_seasonal_worker_from_abroad_starts_with_the_employers_vacancy(plan):
    result = build_plan(
        plan, {"location": "abroad", "citizenship": "third_country", "purpose": "work", "family": "alone", "when": "within_month"}
    )
    assert ids(result, "before_leaving")[0] == "vacancy_registration"
    assert before(result, "work_permit.vacancy_registration", "visa_long_stay.when_needed")
    # the city was not answered, and no step depends on it
    assert result.answers["city"] is None
    assert not any(planned.conditional for planned in result.steps())


def test_someone_starting_a_company_with_spouse_and_children(plan):
    result = build_plan(
        plan, {"location": "abroad", "citizenship": "third_country", "purpose": "business", "city": "riga", "family": "spouse_and_children"}
    )
    assert ids(result, "before_leaving")[:2] == ["board_member_permit", "permit_application"]
    assert {"family_reunification.who_can_come", "children_education.school_enrolment", "children_education.kindergarten"} <= set(
        entries(result)
    )
    assert "work_permit.vacancy_registration" not in entries(result)


def test_family_member_joining_a_resident(plan):
    result = build_plan(plan, {"location": "abroad", "citizenship": "third_country", "purpose": "family", "family": "alone"})
    assert ids(result, "before_leaving")[:3] == ["family_call", "permit_application", "permit_documents"]
    assert "family_reunification.who_can_come" not in entries(result)  # nobody comes along
    assert "work_permit.vacancy_registration" not in entries(result)


def test_asylum_seeker_gets_the_asylum_steps_and_not_those_of_a_resident(plan):
    result = build_plan(plan, {"location": "in_latvia", "citizenship": "third_country", "purpose": "protection", "family": "alone"})
    assert ids(result, "first_week") == ["apply_asylum"]
    assert before(result, "international_protection.apply_asylum", "international_protection.decision_time")
    found = set(entries(result))
    assert not found & {"taxes.personal_code", "banking.open_account", "address_registration.how_to_declare", "taxes.tax_return"}
    assert not [e for e in found if e.startswith("residence_permit.") or e.startswith("driving_licence.")]
    assert "language_courses.free_courses" in found


def test_skipped_questions_keep_their_steps_as_conditional(plan):
    result = build_plan(plan, {"location": "abroad", "citizenship": "third_country", "purpose": None, "family": None})
    planned = {p.step.id: p for p in result.steps()}
    assert planned["vacancy_registration"].conditional  # decided by the purpose, which was skipped
    assert planned["student_permit"].conditional
    assert planned["school"].conditional  # decided by the family, which was skipped
    assert planned["collect_card"].conditional and planned["diploma_legalisation"].conditional
    assert not planned["personal_code"].conditional  # for everyone (the asylum exception needs both answers)
    assert not planned["address"].conditional
    assert "temporary_protection" not in planned  # citizenship answered with another group
    assert before(result, "taxes.personal_code", "banking.open_account")


def test_an_answer_that_is_not_an_option_counts_as_skipped(plan):
    result = build_plan(plan, {"location": "abroad", "citizenship": "skipped", "purpose": "tourism", "family": "", "city": "riga"})
    assert result.answers == {"location": "abroad", "citizenship": None, "purpose": None, "city": "riga", "family": None, "when": None}
    assert result == build_plan(plan, {"location": "abroad", "city": "riga"})
    assert build_plan(plan, {"city": "abroad"}).answers["city"] == "abroad"  # the city is any place id


def test_nothing_answered_gives_every_phase_in_order_and_is_deterministic(plan):
    result = build_plan(plan, {})
    assert [phase for phase, _ in result.phases] == list(PHASES)
    assert set(result.answers) == set(QUESTIONS) and not any(result.answers.values())
    assert len(result.steps()) == len(plan.steps)
    assert result == build_plan(plan, {q: None for q in QUESTIONS})
    assert before(result, "work_permit.vacancy_registration", "residence_permit.how_to_apply")
    assert before(result, "address_registration.how_to_declare", "children_education.school_enrolment")


def test_order_follows_after_not_the_file_and_ignores_steps_not_in_the_plan(plan):
    steps = (
        PlanStep(id="b", entry="taxes.personal_code", phase="first_week", when={}, after=("a",)),
        PlanStep(id="c", entry="banking.open_account", phase="first_week", when={}, after=("gone",)),
        PlanStep(id="a", entry="taxes.eds_sign_in", phase="first_week", when={"purpose": frozenset({"work"})}, after=()),
        PlanStep(id="d", entry="taxes.tax_return", phase="first_week", when={}, after=("b",)),
    )
    small = dataclasses.replace(plan, steps=steps)
    assert ids(build_plan(small, {"purpose": "work"})) == ["c", "a", "b", "d"]
    assert ids(build_plan(small, {"purpose": "study"})) == ["b", "c", "d"]  # a left out: b is as if it were done


def test_in_latvia_drops_the_before_leaving_phase_only(plan):
    abroad = build_plan(plan, {"location": "abroad", "citizenship": "third_country", "purpose": "work"})
    here = build_plan(plan, {"location": "in_latvia", "citizenship": "third_country", "purpose": "work"})
    assert ids(abroad, "before_leaving") and not ids(here, "before_leaving")
    assert [i for i in ids(abroad) if i not in ids(abroad, "before_leaving")] == ids(here)


# --- checks ----------------------------------------------------------------------------------------


def with_plan(pack: Pack, **changes) -> Pack:
    assert pack.plan is not None
    return dataclasses.replace(pack, plan=dataclasses.replace(pack.plan, **changes))


def with_step(pack: Pack, step_id: str, **changes) -> Pack:
    assert pack.plan is not None
    steps = tuple(dataclasses.replace(s, **changes) if s.id == step_id else s for s in pack.plan.steps)
    return with_plan(pack, steps=steps)


def only(problems: list[str], text: str) -> list[str]:
    return [p for p in problems if text in p]


def test_check_finds_an_unknown_entry(pack):
    problems = check_plan(with_step(pack, "school", entry="children_education.no_such_entry"))
    assert only(problems, "plan.yml (step school): entry 'children_education.no_such_entry' does not exist")
    assert structural_problems(with_step(pack, "school", entry="schools")) != []


def test_check_finds_an_unknown_phase(pack):
    assert only(check_plan(with_step(pack, "school", phase="first_day")), "plan.yml (step school): phase 'first_day' is not one of")


def test_check_finds_after_naming_a_missing_step(pack):
    problems = check_plan(with_step(pack, "school", after=("address", "no_such_step")))
    assert only(problems, "plan.yml (step school): 'after' names step 'no_such_step', which does not exist")


def test_check_finds_a_dependency_on_a_later_phase(pack):
    problems = check_plan(with_step(pack, "personal_code", after=("bank_account",)))
    assert only(problems, "plan.yml (step personal_code): comes after step 'bank_account', which is in a later phase (first_month)")


def test_check_finds_a_cycle(pack):
    broken = with_step(pack, "address", after=("school",))
    problems = only(check_plan(broken), "makes a cycle")
    assert len(problems) == 1
    assert "address -> school -> address" in problems[0] or "school -> address -> school" in problems[0]
    # the builder still ends (in the file's order) on a plan with a cycle
    assert broken.plan is not None and ids(build_plan(broken.plan, {"family": "children"}), "first_month")


def test_check_finds_a_condition_naming_an_unknown_question_or_option(pack):
    problems = check_plan(with_step(pack, "school", when={"age": frozenset({"child"}), "family": frozenset({"kids"})}))
    assert only(problems, "plan.yml (step school): 'when' names 'age', which is not a question")
    assert only(problems, "plan.yml (step school): 'when: family' names 'kids', which is not one of its answers")
    assert only(
        check_plan(with_step(pack, "school", unless={"citizenship": frozenset({"martian"})})), "'unless: citizenship' names 'martian'"
    )
    assert not check_plan(with_step(pack, "school", when={"city": frozenset({"riga", "jelgava"})}))  # cities of cities.yml
    assert only(check_plan(with_step(pack, "school", when={"city": frozenset({"atlantis"})})), "names 'atlantis'")


def test_check_finds_a_step_id_used_twice(pack):
    assert pack.plan is not None
    steps = pack.plan.steps
    twice = with_plan(pack, steps=(*steps, dataclasses.replace(steps[0], entry="taxes.tax_refund")))
    assert only(check_plan(twice), f"plan.yml (step {steps[0].id}): the step id is used twice")


def test_check_finds_missing_languages(pack):
    assert pack.plan is not None
    location = pack.plan.question("location")
    abroad, in_latvia = location.options
    no_lv = {k: v for k, v in abroad.label.items() if k != "lv"}
    no_uk_words = {k: v for k, v in in_latvia.words.items() if k != "uk"}
    broken_question = dataclasses.replace(
        location,
        text={k: v for k, v in location.text.items() if k != "ru"},
        options=(dataclasses.replace(abroad, label=no_lv), dataclasses.replace(in_latvia, words={**no_uk_words, "en": ()})),
    )
    problems = check_plan(
        with_plan(
            pack,
            questions=(broken_question, *pack.plan.questions[1:]),
            phases={**pack.plan.phases, "first_week": {"en": "First week"}},
            texts={**pack.plan.texts, "conditional": {k: v for k, v in pack.plan.texts["conditional"].items() if k != "lv"}},
            commands={**pack.plan.commands, "why": {k: v for k, v in pack.plan.commands["why"].items() if k != "uk"}},
        )
    )
    assert only(problems, "plan.yml (question location): the question has no 'ru' text")
    assert only(problems, "plan.yml (question location, option abroad): the button title has no 'lv' text")
    assert only(problems, "plan.yml (question location, option in_latvia): 'words' has no 'uk' text")
    assert only(problems, "plan.yml (question location, option in_latvia): 'words' has no 'en' text")  # an empty list
    assert only(problems, "plan.yml (phase first_week): the heading has no 'lv' text")
    assert only(problems, "plan.yml (texts conditional): the text has no 'lv' text")
    assert only(problems, "plan.yml (command why): the command has no 'uk' text")
    assert structural_problems(with_plan(pack, phases={})) == []  # a missing text is not a reason to refuse the pack
    # the content check reports them as errors
    findings = check_pack(with_plan(pack, phases={**pack.plan.phases, "first_week": {"en": "First week"}}))
    assert any(f.severity == "error" and f.where == "plan.yml (phase first_week)" for f in findings)


def test_check_finds_a_phrase_two_options_share(pack):
    assert pack.plan is not None
    family = pack.plan.question("family")
    alone, spouse, *rest = family.options
    shared = dataclasses.replace(alone, words={**alone.words, "en": (*alone.words["en"], "Wife")})
    problems = check_plan(
        with_plan(
            pack,
            questions=tuple(
                dataclasses.replace(family, options=(shared, spouse, *rest)) if q is family else q for q in pack.plan.questions
            ),
        )
    )
    assert only(problems, "plan.yml (question family): the phrase 'wife' means both 'alone' and 'spouse'")


# --- the loader refuses a plan whose steps do not fit together --------------------------------------


def edit_plan(settings: Settings, change) -> None:
    path = settings.pack_dir / "plan.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# on the tests' own pack (tests/data/fixture/packs/fixture/plan.yml): the subject is the loader, not the real plan


def test_loader_refuses_structural_problems(fixture_data_copy):
    def break_it(data):
        steps = {step["id"]: step for step in data["steps"]}
        steps["courses"]["entry"] = "language_courses.nonexistent"
        steps["tax_return"]["phase"] = "someday"
        steps["permit_application"]["after"] = ["permit_fee"]  # permit_fee comes after permit_application: a cycle
        steps["personal_code"]["after"] = ["courses"]  # a first-month step before a first-week one

    edit_plan(fixture_data_copy, break_it)
    with pytest.raises(ContentError) as error:
        load_pack(fixture_data_copy)
    problems = error.value.problems
    assert only(problems, "plan.yml (step courses): entry 'language_courses.nonexistent' does not exist")
    assert only(problems, "plan.yml (step tax_return): phase 'someday'")
    assert only(problems, "makes a cycle")
    assert only(problems, "plan.yml (step personal_code): comes after step 'courses', which is in a later phase")


def test_loader_refuses_unreadable_or_incomplete_plans(fixture_data_copy):
    def break_it(data):
        data["questions"].pop("family")
        data["texts"].pop("intro")
        data["steps"].append({"id": "x"})

    edit_plan(fixture_data_copy, break_it)
    with pytest.raises(ContentError) as error:
        load_pack(fixture_data_copy)
    problems = error.value.problems
    assert only(problems, "plan.yml (question family): is missing")
    assert only(problems, "plan.yml (texts intro): is missing")
    assert only(problems, "plan.yml (step 2") or only(problems, "needs at least an id and an entry")
    (fixture_data_copy.pack_dir / "plan.yml").write_text("steps: [unclosed", encoding="utf-8")
    with pytest.raises(ContentError, match=r"plan\.yml: cannot be read"):
        load_pack(fixture_data_copy)


def test_a_pack_without_plan_yml_has_the_feature_off(fixture_data_copy):
    (fixture_data_copy.pack_dir / "plan.yml").unlink()
    pack = load_pack(fixture_data_copy)
    assert pack.plan is None
    assert check_plan(pack) == []


def test_a_missing_translation_in_plan_yml_loads_but_fails_the_content_check(fixture_data_copy):
    lang = load_pack(fixture_data_copy).languages.keys() - {"en"}
    dropped = sorted(lang)[-1]
    edit_plan(fixture_data_copy, lambda data: data["questions"]["when"]["why"].pop(dropped))
    pack = load_pack(fixture_data_copy)
    findings = [str(f) for f in check_pack(pack)]
    assert f"error: plan.yml (question when): 'why' has no '{dropped}' text" in findings


# --- reading answers and commands ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "command"),
    [
        ("skip", "en", SKIP),
        ("I don't know", "en", SKIP),
        ("Why do you ask?", "en", WHY),
        ("why do you need to know that?", "en", WHY),
        ("Cancel", "en", STOP),
        ("izlaist", "lv", SKIP),
        ("nezinu", "lv", SKIP),
        ("Kāpēc jautājat?", "lv", WHY),
        ("kapec jautajat", "lv", WHY),  # typed without diacritics
        ("beigt", "lv", STOP),
        ("пропустить", "ru", SKIP),
        ("Не знаю.", "ru", SKIP),
        ("зачем вам это знать?", "ru", WHY),
        ("хватит", "ru", STOP),
        ("пропустити", "uk", SKIP),
        ("гадки не маю", "uk", SKIP),
        ("чому ви питаєте", "uk", WHY),
        ("скасувати", "uk", STOP),
        ("stop", "lv", STOP),  # another language's phrase
        ("не знаю", "en", SKIP),
    ],
)
def test_command_in_every_language(plan, text, lang, command):
    assert command_in(plan, text, lang) == command


@pytest.mark.parametrize(
    "text",
    ["where is the bus stop near the PMLP office in Riga", "I don't know where to apply for a residence permit", "Riga", "", "   "],
)
def test_a_question_that_only_uses_a_command_word_is_not_the_command(plan, text):
    assert command_in(plan, text, "en") is None


@pytest.mark.parametrize(
    ("question", "text", "lang", "option"),
    [
        # button titles, in any language
        ("location", "Still abroad", "en", "abroad"),
        ("location", "Jau Latvijā", "en", "in_latvia"),
        ("citizenship", "ЕС, ЕЭЗ или Швейцария", "ru", "eu"),
        ("family", "Чоловік або дружина й діти", "uk", "spouse_and_children"),
        ("when", "pusgada laika", "lv", "within_half_year"),  # without diacritics
        ("purpose", "work", "lv", "work"),  # a payload: the option id
        # phrases inside longer sentences
        ("location", "I'm not in Latvia yet, still at home in Chennai", "en", "abroad"),
        ("location", "we have already arrived, we live in Riga now", "en", "in_latvia"),
        ("location", "vēl neesmu Latvijā", "lv", "abroad"),
        ("location", "Jau dzīvoju Latvijā trīs mēnešus", "lv", "in_latvia"),
        ("location", "я ещё не приехала, пока дома", "ru", "abroad"),
        ("location", "уже в Латвии, в Даугавпилсе", "ru", "in_latvia"),
        ("location", "ми ще за кордоном", "uk", "abroad"),
        ("location", "вже в Латвії, у Ризі", "uk", "in_latvia"),
        ("citizenship", "I am an Indian citizen", "en", "third_country"),
        ("citizenship", "esmu no Vācijas", "lv", "eu"),
        ("citizenship", "neesmu ES pilsonis, esmu no Indijas", "lv", "third_country"),
        ("citizenship", "я из Узбекистана", "ru", "third_country"),
        ("citizenship", "я украинка, у меня временная защита", "ru", "ukraine_tp"),
        ("citizenship", "я громадянка України", "uk", "ukraine_tp"),
        ("citizenship", "не з ЄС", "uk", "third_country"),
        ("purpose", "I got a job offer from a company in Riga", "en", "work"),
        ("purpose", "gribu studēt Rīgas universitātē", "lv", "study"),
        ("purpose", "еду к мужу", "ru", "family"),
        ("purpose", "хочу відкрити власний бізнес", "uk", "business"),
        ("purpose", "we are fleeing the war", "en", "protection"),
        ("family", "with my wife and our two kids", "en", "spouse_and_children"),
        ("family", "ar sievu", "lv", "spouse"),
        ("family", "одна с ребёнком", "ru", "children"),
        ("family", "їду сама", "uk", "alone"),
        ("family", "без дітей", "uk", "alone"),
        ("family", "alone with my kids", "en", "children"),
        ("location", "ще в Україні", "uk", "abroad"),
        ("when", "in a couple of months", "en", "within_half_year"),
        ("when", "nākamgad", "lv", "later"),
        ("when", "через неделю", "ru", "within_month"),
        ("when", "ще не вирішив", "uk", "later"),
        # a phrase of another language than the one detected
        ("location", "за кордоном", "en", "abroad"),
    ],
)
def test_option_in_every_language(plan, question, text, lang, option):
    assert option_in(plan, question, text, lang) == option


@pytest.mark.parametrize(
    ("question", "text", "lang"),
    [
        ("purpose", "to study and to work", "en"),  # two options: ambiguous
        ("citizenship", "my father is German and my mother is Indian", "en"),
        ("purpose", "работа или учёба", "ru"),
        ("location", "hello", "en"),  # nothing that answers
        ("city", "Riga", "en"),  # the city is answered by the place resolver
        ("age", "42", "en"),  # not a question
    ],
)
def test_option_in_gives_none_when_it_cannot_tell(plan, question, text, lang):
    assert option_in(plan, question, text, lang) is None


def test_two_button_titles_or_ids_that_match_give_none(plan):
    purpose = plan.question("purpose")
    work, study, *rest = purpose.options
    clash = dataclasses.replace(study, label={**study.label, "en": "Work"})
    clashing = dataclasses.replace(
        plan, questions=tuple(dataclasses.replace(purpose, options=(work, clash, *rest)) if q is purpose else q for q in plan.questions)
    )
    assert option_in(clashing, "purpose", "work", "en") is None


def test_when_the_person_comes_decides_whether_the_processing_time_is_a_step(plan):
    base = {"location": "abroad", "citizenship": "third_country", "purpose": "work", "city": "riga", "family": "alone"}
    soon = [p.step.id for p in build_plan(plan, {**base, "when": "within_month"}).steps()]
    later = [p.step.id for p in build_plan(plan, {**base, "when": "later"}).steps()]
    assert "permit_processing_time" in soon and "permit_processing_time" not in later
    assert soon.index("permit_application") < soon.index("permit_processing_time")


def test_content_check_lists_a_plan_translation_that_no_longer_follows_its_source(pack):
    stale = dataclasses.replace(pack.plan, translated_from={"texts.skip": {"lv": "00000000"}})
    findings = check_pack(dataclasses.replace(pack, plan=stale))
    assert [f.message for f in findings if f.where == "plan.yml" and f.severity == "warning"] == [
        "texts.skip: 'lv' does not follow the current 'en' text; update it in the staff app's Plan page"
    ]
    assert not [f for f in check_pack(pack) if f.where == "plan.yml"]
