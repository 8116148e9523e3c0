"""The personal plan (plan.yml) in the staff app over real HTTP: steps, texts per language, preview, publishing.

Every save goes through the validated draft; the tests read the draft's
plan.yml back (as text, to see that its comments stay, and as a pack).
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from html import unescape
from typing import Any

from bot.core.plan.build import build_plan
from bot.core.plan.model import PlanContent
from bot.core.plan.present import present_plan
from bot.staff import yamledit
from bot.staff.draft import text_hash
from tests.staff.harness import StaffServer, publish_from_page
from tests.staff.test_content import draft_pack, errors_shown

COMMENTS = ("# The personal plan for the move (issue 21)", "# ---- the first week in Latvia ----", "# ---- the first year ----")


def plan_file(server: StaffServer) -> str:
    return (server.draft_pack / "plan.yml").read_text(encoding="utf-8")


def draft_plan(server: StaffServer) -> PlanContent:
    plan = draft_pack(server).plan
    assert plan is not None
    return plan


def plan_step_form(server: StaffServer, step_id: str | None = None, **changes: Any) -> list[tuple[str, str]]:
    """A step's form as the page fills it (an empty one for a new step), with ``changes``."""
    values: dict[str, Any] = {"entry": "", "phase": "", "when": {}, "unless": {}, "after": []}
    if step_id:
        step = draft_plan(server).step(step_id)
        values = {
            "entry": step.entry,
            "phase": step.phase,
            "when": {q: sorted(o) for q, o in step.when.items()},
            "unless": {q: sorted(o) for q, o in step.unless.items()},
            "after": list(step.after),
        }
    values.update(changes)
    fields = [("base", text_hash(plan_file(server))), ("entry", values["entry"]), ("phase", values["phase"])]
    for kind in ("when", "unless"):
        fields += [(f"{kind}_{question}", option) for question, options in values[kind].items() for option in options]
    return fields + [("after", step) for step in values["after"]]


def plan_texts_form(server: StaffServer, lang: str, follows: bool = True, **changes: str) -> list[tuple[str, str]]:
    """The texts form of ``lang`` as the page fills it (``changes``: item key -> new text), "follows" ticked where up to date."""
    plan = draft_plan(server)
    fields = [("base", text_hash(plan_file(server)))]
    for item, texts in plan.items().items():
        value = texts.get(lang)
        shown = "\n".join(value) if isinstance(value, tuple) else str(value or "")
        fields.append((f"text.{item}", changes.get(item, shown)))
        if follows and lang != plan.source_language and value and not plan.is_stale(item, lang):
            fields.append((f"follows.{item}", "on"))
    return fields


def _field_errors(page: str, name: str) -> list[str]:
    block = re.search(rf'<ul class="errors field-errors" id="errors-{name}">(.*?)</ul>', page, re.DOTALL)
    return [unescape(m) for m in re.findall(r"<li>(.*?)</li>", block.group(1), re.DOTALL)] if block else []


def _title(server: StaffServer, step_id: str, lang: str = "en") -> str:
    pack = draft_pack(server)
    entry = pack.entry(draft_plan(server).step(step_id).entry)
    assert entry is not None
    return entry.translations[lang].title or ""


async def test_the_plan_page_shows_steps_by_title_phase_by_phase(sqlite_staff):
    server, browsers = sqlite_staff
    plan = draft_plan(server)
    status, page, _ = await browsers["translator"].get("/plan")
    assert status == 200
    page = unescape(page)
    assert 'href="/plan"' in page  # the navigation link
    headings = [plan.heading(phase, "en") for phase in ("before_leaving", "first_week", "first_month", "first_year")]
    positions = [page.index(f">{heading}</h3>") for heading in headings]
    assert positions == sorted(positions)
    everyone = build_plan(plan, {})
    order = [page.index(f'id="step-{planned.step.id}"') for planned in everyone.steps()]
    assert order == sorted(order) and len(order) == len(plan.steps)
    row = page.split('id="step-bank_account"', 1)[1].split("</tr>", 1)[0]
    assert _title(server, "bank_account") in row and 'class="entry-id">bank_account<' in row
    assert "Not when: Citizenship: Another country + Purpose of the move: Protection, asylum" in row
    assert f"after: {_title(server, 'personal_code')}" in row
    row = page.split('id="step-vacancy_registration"', 1)[1].split("</tr>", 1)[0]
    assert "Only: Citizenship: Another country · Purpose of the move: Work" in row
    assert "The plan passes every check." in page
    assert 'id="add-step"' not in page  # translators do not add steps
    _, page, _ = await browsers["translator"].get("/plan/steps/bank_account")
    form = page.split('id="step-form"', 1)[1].split("</form>", 1)[0]
    assert '<select name="entry" disabled>' in form and 'type="submit"' not in form and 'id="delete-step"' not in page
    _, page, _ = await browsers["editor"].get("/plan")
    assert 'href="/plan/add"' in page
    _, page, _ = await browsers["editor"].get("/plan/steps/bank_account")
    assert '<select name="entry">' in page and 'id="delete-step"' in page


async def test_an_editor_changes_a_steps_phase_and_what_comes_before_it(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    before = plan_file(server)
    assert draft_plan(server).step("integration_course").phase == "first_year"
    await editor.get("/plan/steps/integration_course")
    form = plan_step_form(server, "integration_course", phase="first_month", after=["address", "personal_code"])
    status, page, answer = await editor.post("/plan/steps/integration_course", form)
    assert status == 303 and answer.headers["Location"] == "/plan/steps/integration_course?saved=1", errors_shown(page)
    step = draft_plan(server).step("integration_course")
    assert step.phase == "first_month" and step.after == ("personal_code", "address")  # in the plan's order
    assert step.when == {"citizenship": frozenset({"third_country", "ukraine_tp"})}
    text = plan_file(server)
    assert all(comment in text for comment in COMMENTS)
    assert text.count("\n#") + text.count("  #") == before.count("\n#") + before.count("  #")  # no comment lost
    # the step moved to the end of the first month's steps, before the first year's heading comment
    moved = text.index("- id: integration_course")
    assert text.index("# ---- the first month ----") < moved < text.index("# ---- the first year ----")
    assert "    phase: first_month\n    when: {citizenship: [third_country, ukraine_tp]}\n    after: [personal_code, address]\n" in text
    # nothing else changed: the lists of words keep their line breaks
    assert before.split("\nsteps:\n", 1)[0] == text.split("\nsteps:\n", 1)[0]
    _, versions, _ = await editor.get("/versions")
    assert "plan: step integration_course" in versions
    _, audit, _ = await browsers["admin"].get("/audit")
    row = audit.split("<td>plan.yml</td>", 1)[1].split("</tr>", 1)[0]
    assert "first_year" in row and "first_month" in row  # before and after
    # the form shows it back
    _, page, _ = await editor.get("/plan/steps/integration_course")
    assert re.search(r'<option value="first_month" selected>', page)
    assert re.search(r'name="after" value="address" checked', page)


async def test_a_dependency_on_a_later_phase_or_in_a_circle_is_refused_and_nothing_changes(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    before = plan_file(server)
    await editor.get("/plan/steps/personal_code")
    later = plan_step_form(server, "personal_code", after=[*draft_plan(server).step("personal_code").after, "bank_account"])
    status, page, _ = await editor.post("/plan/steps/personal_code", later)
    assert status == 400
    message = f"“{_title(server, 'bank_account')}” is in a later phase (Your first month): a step can only come after steps"
    assert any(message in e for e in _field_errors(page, "after")), _field_errors(page, "after")
    assert 'name="after" value="bank_account" checked' in page  # the form comes back as it was sent
    assert plan_file(server) == before

    circle = plan_step_form(server, "address", after=[*draft_plan(server).step("address").after, "school"])
    status, page, _ = await editor.post("/plan/steps/address", circle)
    assert status == 400
    errors = _field_errors(page, "after")
    assert any("This would make a circle:" in e and f"“{_title(server, 'school')}”" in e for e in errors), errors
    assert plan_file(server) == before

    # moving a step to a phase later than a step that comes after it
    status, page, _ = await editor.post(
        "/plan/steps/temporary_protection", plan_step_form(server, "temporary_protection", phase="first_year")
    )
    assert status == 400
    errors = _field_errors(page, "phase")
    assert any(f"“{_title(server, 'personal_code')}” (Your first week in Latvia) comes after this step" in e for e in errors), errors
    assert plan_file(server) == before

    # in Latvian
    await editor.post("/ui-language", {"lang": "lv", "next": "/"})
    status, page, _ = await editor.post("/plan/steps/personal_code", later)
    assert status == 400 and "ir vēlākā posmā" in " ".join(_field_errors(page, "after")), _field_errors(page, "after")
    await editor.post("/ui-language", {"lang": "en", "next": "/"})
    assert plan_file(server) == before


async def test_adding_and_deleting_steps(sqlite_staff):
    server, browsers = sqlite_staff
    editor = browsers["editor"]
    used = {step.entry for step in draft_plan(server).steps}
    assert "banking.fees" not in used
    status, page, _ = await editor.get("/plan/add")
    assert status == 200 and '<option value="banking.fees">' in page and "<optgroup label=" in page
    form = plan_step_form(server, entry="banking.fees", phase="first_month", when={"purpose": ["work", "study"]}, after=["bank_account"])
    status, page, answer = await editor.post("/plan/add", form)
    assert status == 303 and answer.headers["Location"] == "/plan/steps/fees?saved=1", errors_shown(page)
    step = draft_plan(server).step("fees")
    assert (step.entry, step.phase, step.after) == ("banking.fees", "first_month", ("bank_account",))
    assert step.when == {"purpose": frozenset({"work", "study"})}
    text = plan_file(server)
    assert all(comment in text for comment in COMMENTS)
    assert text.index("- id: fees") < text.index("# ---- the first year ----")
    # a new step without an entry or phase: said beside the fields, nothing saved
    status, page, _ = await editor.post("/plan/add", plan_step_form(server))
    assert status == 400 and _field_errors(page, "entry") and _field_errors(page, "phase")
    assert plan_file(server) == text

    # a step others come after cannot be deleted; the message names them
    status, page, _ = await editor.post("/plan/steps/bank_account/delete", [("base", text_hash(text)), ("confirm", "yes")])
    assert status == 400
    errors = _field_errors(page, "delete")
    assert any("cannot be deleted" in e and f"“{_title(server, 'fees')}”" in e for e in errors), errors
    # unconfirmed
    status, page, _ = await editor.post("/plan/steps/fees/delete", [("base", text_hash(text))])
    assert status == 400 and "Tick “Yes, delete this step”" in unescape(page)
    assert plan_file(server) == text
    status, page, answer = await editor.post("/plan/steps/fees/delete", [("base", text_hash(text)), ("confirm", "yes")])
    assert status == 303 and answer.headers["Location"] == "/plan?saved=1", errors_shown(page)
    assert "fees" not in {step.id for step in draft_plan(server).steps}
    assert all(comment in plan_file(server) for comment in COMMENTS)
    assert (await editor.get("/plan/steps/fees"))[0] == 404


async def test_a_latvian_translator_edits_a_latvian_question_but_not_english_or_russian(sqlite_staff):
    server, browsers = sqlite_staff
    translator = browsers["translator"]
    plan = draft_plan(server)
    item = "questions.when.text"
    new = "Kad jūs plānojat pārcelties uz Latviju?"
    status, page, _ = await translator.get("/plan/texts/lv")
    assert status == 200 and f'name="text.{item}"' in page and "readonly" not in page.split('id="plan-texts"', 1)[1]
    status, page, _ = await translator.post("/plan/texts/lv", plan_texts_form(server, "lv", **{item: new}))
    assert status == 303, errors_shown(page)
    after = draft_plan(server)
    assert after.question("when").text["lv"] == new
    assert after.question("when").text["en"] == plan.question("when").text["en"] and not after.is_stale(item, "lv")
    assert all(comment in plan_file(server) for comment in COMMENTS)
    before = plan_file(server)
    for lang in ("en", "ru"):
        status, page, _ = await translator.get(f"/plan/texts/{lang}")
        assert status == 200 and "Your role does not allow editing this language." in page
        status, page, _ = await translator.post(f"/plan/texts/{lang}", plan_texts_form(server, lang, **{item: "changed"}))
        assert status == 403 and "Your role does not allow" in page
    assert plan_file(server) == before
    # an emptied text is refused with the problem in plain words
    status, page, _ = await translator.post("/plan/texts/lv", plan_texts_form(server, "lv", **{item: ""}))
    assert status == 400 and any("has no Latvian text" in e for e in errors_shown(page)), errors_shown(page)
    assert plan_file(server) == before


async def test_changing_an_english_text_marks_its_translations_out_of_date(sqlite_staff):
    server, browsers = sqlite_staff
    editor, translator = browsers["editor"], browsers["translator"]
    item, words = "questions.purpose.why", "questions.purpose.options.study.words"
    plan = draft_plan(server)
    assert not any(plan.is_stale(item, lang) for lang in ("lv", "ru", "uk"))
    new_why = plan.question("purpose").why["en"].replace("Each reason", "Every reason")
    new_words = "\n".join([*plan.question("purpose").option("study").words["en"], "Language School"])
    status, page, _ = await editor.post("/plan/texts/en", plan_texts_form(server, "en", **{item: new_why, words: new_words}))
    assert status == 303, errors_shown(page)
    plan = draft_plan(server)
    assert plan.question("purpose").why["en"] == new_why
    assert plan.question("purpose").option("study").words["en"][-1] == "language school"  # lowercase, as the interview matches
    for lang in ("lv", "ru", "uk"):
        assert plan.is_stale(item, lang) and plan.is_stale(words, lang), lang
    assert not plan.is_stale("questions.purpose.text", "lv")
    assert re.search(r'translated_from: \{lv: "[0-9a-f]{8}", ru: "[0-9a-f]{8}", uk: "[0-9a-f]{8}"\}', plan_file(server))
    # the pages show it
    _, page, _ = await editor.get("/plan")
    assert "out of date: 2" in page
    _, page, _ = await translator.get("/plan/texts/ru")
    stale = page.split('id="plan-stale"', 1)[1].split("</div>", 1)[0]
    assert f'href="#item-{item}"' in stale and f'href="#item-{words}"' in stale
    assert f'class="plan-item status-stale" id="item-{item}"' in page
    # the Latvian translator updates Latvian and ticks "follows the current source"
    lv_why = plan.question("purpose").why["lv"].replace("Katram iemeslam", "Ikvienam iemeslam")
    form = [*plan_texts_form(server, "lv", **{item: lv_why}), (f"follows.{item}", "on")]
    status, page, _ = await translator.post("/plan/texts/lv", form)
    assert status == 303, errors_shown(page)
    plan = draft_plan(server)
    assert not plan.is_stale(item, "lv") and plan.is_stale(item, "ru") and plan.is_stale(words, "lv")
    # a second English change leaves them out of date, with the fingerprint of the text they follow
    ru_stamp = plan.translated_from[item]["ru"]
    status, page, _ = await editor.post("/plan/texts/en", plan_texts_form(server, "en", **{item: new_why + " More."}))
    assert status == 303, errors_shown(page)
    plan = draft_plan(server)
    assert plan.translated_from[item]["ru"] == ru_stamp and plan.is_stale(item, "lv") and plan.is_stale(item, "ru")


def _preview_steps(page: str) -> list[str]:
    return re.findall(r'<li id="preview-step-(\w+)">', page)


async def test_the_preview_builds_the_plan_of_a_sample_person_from_the_draft(sqlite_staff):
    server, browsers = sqlite_staff
    translator = browsers["translator"]
    pack = draft_pack(server)
    plan = draft_plan(server)
    status, page, _ = await translator.get("/plan/preview")
    assert status == 200 and 'id="plan-preview-form"' in page and 'id="plan-result"' not in page
    worker = {"location": "abroad", "citizenship": "third_country", "purpose": "work", "city": "riga", "family": "alone"}
    refugee = {"location": "in_latvia", "citizenship": "ukraine_tp", "purpose": "protection", "city": "daugavpils", "family": "children"}
    for answers in (worker, refugee):
        query = "&".join(f"{k}={v}" for k, v in answers.items())
        status, page, _ = await translator.get(f"/plan/preview?{query}&when=&lang=lv")
        assert status == 200
        page = unescape(page)
        expected = [planned.step.id for planned in build_plan(plan, answers).steps()]
        assert _preview_steps(page) == expected
        for planned in build_plan(plan, answers).steps():
            entry = pack.entry(planned.step.entry)
            assert entry is not None and f'<strong class="step-title">{entry.translations["lv"].title}</strong>' in page
        assert plan.texts["intro"]["lv"] in page
        assert f'<option value="{answers["city"]}" selected>' in page
        presented = present_plan(pack, build_plan(plan, answers), "lv", datetime.now(timezone.utc))
        offices = [(step.id, step.office["name"]) for step in presented.steps() if step.office]
        assert offices
        for step_id, office in offices:  # the office for the city (or the embassy for a step before leaving)
            assert office in page.split(f'id="preview-step-{step_id}"', 1)[1].split("</li>", 1)[0]
    status, page, _ = await translator.get("/plan/preview?" + "&".join(f"{k}={v}" for k, v in worker.items()) + "&lang=lv")
    page = unescape(page)
    assert "vacancy_registration" in _preview_steps(page) and "temporary_protection" not in _preview_steps(page)
    assert f">{plan.phases['before_leaving']['lv']}</h2>" in page
    status, page, _ = await translator.get("/plan/preview?" + "&".join(f"{k}={v}" for k, v in refugee.items()) + "&lang=lv")
    page = unescape(page)
    steps = _preview_steps(page)
    assert {"temporary_protection", "school", "ukrainian_benefits"} <= set(steps) and "vacancy_registration" not in steps
    assert f">{plan.phases['before_leaving']['lv']}</h2>" not in page  # already in Latvia
    assert (await translator.get("/plan/preview?lang=xx"))[0] == 404


async def test_the_latvian_pages_are_in_latvian(sqlite_staff):
    server, browsers = sqlite_staff
    browser = browsers["publisher"]
    await browser.post("/ui-language", {"lang": "lv", "next": "/plan"})
    try:
        _, page, _ = await browser.get("/plan")
        page = unescape(page)
        assert '<a href="/plan">Plāns</a>' in page
        assert "Pārcelšanās plāns" in page and "Soļi" in page and "Kam" in page
        assert "Tikai: Pilsonība: Citas valsts · Pārcelšanās mērķis: Darbs" in page  # the option labels in Latvian
        assert draft_plan(server).heading("first_week", "lv") in page
        _, page, _ = await browser.get("/plan/texts/lv")
        assert "Jautājums" in unescape(page)
        _, page, _ = await browser.get("/plan/preview")
        assert "izlaists" in unescape(page)
    finally:
        await browser.post("/ui-language", {"lang": "en", "next": "/"})


async def test_a_plan_change_is_published_without_training(sqlite_staff):
    """plan.yml is not training data: a change to it goes live as an answer-only publish, with the servers down."""
    server, browsers = sqlite_staff
    editor, publisher = browsers["editor"], browsers["publisher"]
    status, page, _ = await editor.post(
        "/plan/steps/language_test", plan_step_form(server, "language_test", when={"purpose": ["work", "study"]})
    )
    assert status == 303, errors_shown(page)
    _, page, _ = await publisher.get("/publish")
    assert "packs/latvia/plan.yml" in page
    _, page, _ = await publisher.get("/plan")
    assert 'id="plan-unpublished"' in page
    job = await publish_from_page(publisher)
    assert job["state"] == "succeeded" and job["mode"] == "answers", job["message"]
    assert [s["state"] for s in job["steps"]] == ["done", "done", *["skipped"] * 5, "done"]
    published = server.root / "published" / "packs" / "latvia" / "plan.yml"
    assert published.read_text(encoding="utf-8") == plan_file(server)
    assert yamledit.load(published.read_text(encoding="utf-8"))["steps"]
    _, page, _ = await publisher.get("/plan")
    assert 'id="plan-unpublished"' not in page
