"""The personal plan for the move (``plan.yml``, issue 21): its steps, its texts per language and a preview.

Staff never see the file. A step is shown by its entry's title in the
interface language, who it is for by the answers' button titles, what comes
before it by the other steps' titles. Every save goes through the validated
draft (``bot.staff.draft``), like a topic's: the whole draft pack is loaded
and checked, a version and an audit row are written, and ``plan.yml`` keeps
its comments and layout (ruamel's round trip; the wrapped lists of words that
did not change keep their line breaks).

Before a step is saved, the draft's plan with the step changed is checked
with ``bot.core.plan.check.structural_problems``; what it finds is shown beside the
field it is about, in the interface language, and nothing is saved.

Translation tracking works per item (a text, a phase heading, a question, a
"why" answer, a button title, the words of an answer): ``translated_from``
beside the item's languages holds the fingerprint of the source text each
translation follows. A translation without one is taken to follow the
current source; when the source text of an item changes here, the other
languages get the old text's fingerprint and show as out of date until a
translator saves them with "follows the current source" ticked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any

from aiohttp import web

from bot.core.content.model import Pack
from bot.core.plan.build import build_plan
from bot.core.plan.check import check_plan, structural_problems
from bot.core.plan.model import CITY_QUESTION, PHASES, QUESTIONS, PlanContent, PlanStep, item_fingerprint, text_in
from bot.core.plan.present import present_plan
from bot.staff import yamledit
from bot.staff.draft import Draft, text_hash
from bot.staff.edits import plan as plan_edits
from bot.staff.templating import render
from bot.staff.views.content import problem_messages, title_for
from bot.staff.views.names import language_names
from bot.staff.web import CONFIG, DRAFT, redirect, requires

routes = web.RouteTableDef()
FILE = "plan.yml"
_WHERE = re.compile(r"^plan\.yml(?: \((?P<where>[^)]*)\))?: (?P<message>.*)$", re.DOTALL)


# --- plan.yml, loaded as a ruamel tree (bot.staff.edits.plan edits and dumps it) ----------------------------------


def _load(draft: Draft) -> tuple[str, Any]:
    text = draft.read(FILE)
    return text, yamledit.load(text)


# --- names in the interface language ------------------------------------------------------------------------------


def _language_names(request: web.Request, pack: Pack) -> dict[str, str]:
    named = language_names(request, list(pack.languages))
    return {code: pack.languages[code].name if name == code else name for code, name in named.items()}


def _question_names(request: web.Request) -> dict[str, str]:
    _ = request["_"]
    return {
        "location": _("Where they are now"),
        "citizenship": _("Citizenship"),
        "purpose": _("Purpose of the move"),
        "city": _("City"),
        "family": _("Who comes along"),
        "when": _("When they move"),
    }


def _text_names(request: web.Request) -> dict[str, str]:
    _ = request["_"]
    return {
        "start": _("The first line of the interview"),
        "intro": _("The first line of the plan"),
        "skip": _("The skip button"),
        "conditional": _("The note on a step kept because a question was skipped"),
        "empty": _("The reply when no step fits"),
        "stopped": _("The reply after \u201cstop\u201d"),
        "not_understood": _("The reply to an answer that was not understood"),
        "tick_steps": _("Under the plan in the web chat"),
        "first_step": _("The button that shows the first step"),
        "next_step": _("The button that shows the next step"),
    }


def _command_names(request: web.Request) -> dict[str, str]:
    _ = request["_"]
    return {
        "skip": _("What people write to skip a question"),
        "why": _("What people write to ask why a question is asked"),
        "stop": _("What people write to stop the interview"),
    }


@dataclass
class Names:
    """How the pages name the plan's steps, phases, questions and answers, in the interface language."""

    request: web.Request
    pack: Pack
    plan: PlanContent
    lang: str = field(init=False)
    questions: dict[str, str] = field(init=False)
    languages: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.lang = self.request["ui_lang"]
        self.questions = _question_names(self.request)
        self.languages = _language_names(self.request, self.pack)

    def entry(self, entry_id: str) -> str:
        entry = self.pack.entry(entry_id)
        return (title_for(entry, self.lang) or entry.id) if entry else entry_id

    def step(self, step_id: str) -> str:
        try:
            return self.entry(self.plan.step(step_id).entry)
        except KeyError:
            return step_id

    def phase(self, phase: str) -> str:
        return self.plan.heading(phase, self.lang, self.plan.source_language)

    def question(self, question_id: str) -> str:
        return self.questions.get(question_id, question_id)

    def option(self, question_id: str, option_id: str) -> str:
        if question_id == CITY_QUESTION:
            city = self.pack.directory.cities.get(option_id)
            return city.name_in(self.lang) if city else option_id
        try:
            return text_in(self.plan.question(question_id).option(option_id).label, self.lang, self.plan.source_language) or option_id
        except KeyError:
            return option_id

    def options(self, question_id: str) -> list[tuple[str, str]]:
        """(option id, name) of a question's answers, in their order (cities by name)."""
        if question_id == CITY_QUESTION:
            cities = self.pack.directory.cities
            return sorted(((c, self.option(question_id, c)) for c in cities), key=lambda pair: pair[1])
        try:
            return [(o.id, self.option(question_id, o.id)) for o in self.plan.question(question_id).options]
        except KeyError:
            return []

    def conditions(self, conditions: dict[str, frozenset[str]] | dict[str, list[str]]) -> list[str]:
        """``question: answer, answer`` for each question listed, in the interview's order."""
        parts = []
        for question_id in [*QUESTIONS, *sorted(set(conditions) - set(QUESTIONS))]:
            if question_id in conditions:
                order = [o for o, _name in self.options(question_id)]
                chosen = sorted(conditions[question_id], key=lambda o: order.index(o) if o in order else len(order))
                parts.append(f"{self.question(question_id)}: {', '.join(self.option(question_id, o) for o in chosen)}")
        return parts

    def who(self, step: PlanStep) -> str:
        """Whom a step is for, in plain words."""
        _ = self.request["_"]
        parts = []
        if step.when:
            parts.append(_("Only: %(conditions)s") % {"conditions": " \u00b7 ".join(self.conditions(step.when))})
        if step.unless:
            parts.append(_("Not when: %(conditions)s") % {"conditions": " + ".join(self.conditions(step.unless))})
        return " \u2014 ".join(parts) if parts else _("Everyone")


# --- problems in plain words ------------------------------------------------------------------------------------------


def plain_problem(names: Names, problem: str) -> str:
    """A check's message about ``plan.yml`` in the interface language, naming steps by their titles (else as it is)."""
    _ = names.request["_"]
    found = _WHERE.match(problem)
    if not found:
        return problem
    where, message = found.group("where") or "", found.group("message")
    kind, _space, subject = where.partition(" ")

    def quoted(pattern: str) -> re.Match[str] | None:
        return re.search(pattern, message)

    if kind == "step":
        step = names.step(subject)
        if match := quoted(r"^entry '([^']+)' does not exist"):
            return _("Step \u201c%(step)s\u201d: its entry %(entry)s does not exist; choose another entry.") % {
                "step": step,
                "entry": match.group(1),
            }
        if quoted(r"^phase '[^']*' is not one of"):
            return _("Step \u201c%(step)s\u201d has no valid phase; choose one.") % {"step": step}
        if match := quoted(r"^'after' names step '([^']+)', which does not exist"):
            return _("Step \u201c%(step)s\u201d comes after a step that does not exist (%(other)s).") % {
                "step": step,
                "other": match.group(1),
            }
        if match := quoted(r"^comes after step '([^']+)', which is in a later phase \(([^)]+)\)"):
            return _("Step \u201c%(step)s\u201d comes after \u201c%(other)s\u201d, which is in a later phase (%(phase)s).") % {
                "step": step,
                "other": names.step(match.group(1)),
                "phase": names.phase(match.group(2)),
            }
        if match := quoted(r"^'after' makes a cycle: (.*)$"):
            chain = " \u2192 ".join(f"\u201c{names.step(s.strip())}\u201d" for s in match.group(1).split("->"))
            return _("These steps come after each other in a circle: %(steps)s.") % {"steps": chain}
        if quoted(r"^the step id is used twice"):
            return _("Two steps have the same id %(id)s.") % {"id": subject}
        if quoted(r"^'(when|unless)"):
            return _("Step \u201c%(step)s\u201d: whom it is for names a question or an answer that does not exist.") % {"step": step}
        return _("Step \u201c%(step)s\u201d: %(problem)s") % {"step": step, "problem": message}
    language = ""
    if match := quoted(r"has no '(\w+)' text$"):
        language = names.languages.get(match.group(1), match.group(1))
    if kind == "question":
        question_id, _comma, option_part = subject.partition(", option ")
        question = names.question(question_id)
        option = names.option(question_id, option_part) if option_part else ""
        if language and message.startswith("the question "):
            return _("The question \u201c%(question)s\u201d has no %(language)s text.") % {"question": question, "language": language}
        if language and message.startswith("'why' "):
            return _("The answer to \u201cwhy do you ask?\u201d of the question \u201c%(question)s\u201d has no %(language)s text.") % {
                "question": question,
                "language": language,
            }
        if language and message.startswith("the button title "):
            return _("The answer \u201c%(option)s\u201d of the question \u201c%(question)s\u201d has no %(language)s button title.") % {
                "option": option,
                "question": question,
                "language": language,
            }
        if language and message.startswith("'words' "):
            return _("The answer \u201c%(option)s\u201d of the question \u201c%(question)s\u201d has no %(language)s words.") % {
                "option": option,
                "question": question,
                "language": language,
            }
        if match := quoted(r"^the (phrase|button title) '(.*)' (?:means both|is both) '([^']+)' and '([^']+)'$"):
            return _("Question “%(question)s”: “%(phrase)s” means two answers, “%(first)s” and “%(second)s”.") % {
                "question": question,
                "phrase": match.group(2),
                "first": names.option(question_id, match.group(3)),
                "second": names.option(question_id, match.group(4)),
            }
    if kind == "phase" and language:
        return _("The phase \u201c%(phase)s\u201d has no %(language)s heading.") % {"phase": names.phase(subject), "language": language}
    if kind == "texts" and language:
        text = _text_names(names.request).get(subject, subject)
        return _("\u201c%(text)s\u201d has no %(language)s text.") % {"text": text, "language": language}
    if kind == "command" and language:
        command = _command_names(names.request).get(subject, subject)
        return _("\u201c%(command)s\u201d has no %(language)s words.") % {"command": command, "language": language}
    if match := quoted(r"^the stem '([^']+)' in '([^']+)' is shorter than (\d+) letters"):
        return _("\u201c%(phrase)s\u201d: a word ending in * needs at least %(count)s letters before the *.") % {
            "phrase": match.group(2),
            "count": match.group(3),
        }
    return problem


# --- the plan page ----------------------------------------------------------------------------------------------------


async def _draft_plan(request: web.Request) -> tuple[Draft, Pack, PlanContent]:
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    if pack.plan is None:
        raise web.HTTPNotFound()
    return draft, pack, pack.plan


def _status(plan: PlanContent, item: str, lang: str) -> str:
    if not plan.items().get(item, {}).get(lang):
        return "missing"
    return "stale" if plan.is_stale(item, lang) else "ok"


def _step_rows(names: Names, plan: PlanContent) -> list[dict[str, Any]]:
    """The plan's phases in order, each with its steps in the order a plan shows them."""
    everyone = build_plan(plan, {})  # every question skipped: every step, in the plan's order
    rows = []
    for phase, planned in everyone.phases:
        steps = []
        for item in planned:
            step = item.step
            steps.append(
                {
                    "step": step,
                    "title": names.entry(step.entry),
                    "missing_entry": names.pack.entry(step.entry) is None,
                    "who": names.who(step),
                    "after": [names.step(dep) for dep in step.after if dep in {s.id for s in plan.steps}],
                }
            )
        rows.append({"phase": phase, "heading": names.phase(phase), "steps": steps})
    return rows


def _unpublished(request: web.Request, draft: Draft) -> bool:
    """Whether the draft's plan.yml differs from the one users get (a publish puts it live, without training)."""
    config = request.app[CONFIG]
    published = config.published_data_dir / "packs" / config.pack / FILE
    return not published.is_file() or published.read_bytes() != (draft.pack_dir / FILE).read_bytes()


@routes.get("/plan")
@requires("read")
async def plan_page(request: web.Request) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    names = Names(request, pack, plan)
    items = plan.items()
    languages = []
    for lang in pack.languages:
        statuses = [_status(plan, item, lang) for item in items]
        languages.append(
            {"code": lang, "name": names.languages[lang], "stale": statuses.count("stale"), "missing": statuses.count("missing")}
        )
    context = {
        "phases": _step_rows(names, plan),
        "problems": [plain_problem(names, p) for p in check_plan(pack)],
        "languages": languages,
        "source_language": plan.source_language,
        "unpublished": _unpublished(request, draft),
    }
    return render(request, "plan.html", context)


# --- a step: its entry, phase, whom it is for and what comes before it (editors) ----------------------------------------


def _step_values(step: PlanStep | None) -> dict[str, Any]:
    if step is None:
        return {"entry": "", "phase": "", "when": {}, "unless": {}, "after": []}
    return {
        "entry": step.entry,
        "phase": step.phase,
        "when": {q: sorted(options) for q, options in step.when.items()},
        "unless": {q: sorted(options) for q, options in step.unless.items()},
        "after": list(step.after),
    }


def _form_step(form: Any, names: Names) -> dict[str, Any]:
    """The step as the form gives it, answers in each question's order."""
    values: dict[str, Any] = {"entry": str(form.get("entry", "")).strip(), "phase": str(form.get("phase", "")).strip()}
    for kind in plan_edits.CONDITIONS:
        chosen = {}
        for question_id in QUESTIONS:
            ticked = [str(o) for o in form.getall(f"{kind}_{question_id}", [])]
            if ticked:
                order = [o for o, _name in names.options(question_id)]
                chosen[question_id] = sorted(dict.fromkeys(ticked), key=lambda o: order.index(o) if o in order else len(order))
        values[kind] = chosen
    order = [s.id for s in names.plan.steps]
    after = dict.fromkeys(str(s) for s in form.getall("after", []))
    values["after"] = sorted(after, key=lambda s: order.index(s) if s in order else len(order))
    return values


def _plan_step(step_id: str, values: dict[str, Any]) -> PlanStep:
    return PlanStep(
        id=step_id,
        entry=values["entry"],
        phase=values["phase"],
        when={q: frozenset(o) for q, o in values["when"].items()},
        after=tuple(values["after"]),
        unless={q: frozenset(o) for q, o in values["unless"].items()},
    )


def _field_problems(names: Names, pack: Pack, plan: PlanContent, step_id: str, values: dict[str, Any], new: bool) -> dict[str, list[str]]:
    """What the plan's checks find in the draft with this step saved, by the form's field, in the interface language."""
    _ = names.request["_"]
    fields: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        fields.setdefault(name, []).append(message)

    if pack.entry(values["entry"]) is None:
        add("entry", _("Choose the entry this step shows."))
    if values["phase"] not in PHASES:
        add("phase", _("Choose the phase this step belongs to."))
    if step_id in values["after"]:
        add("after", _("A step cannot come after itself."))
    if fields:
        return fields
    candidate_step = _plan_step(step_id, values)
    steps = [*plan.steps, candidate_step] if new else [candidate_step if s.id == step_id else s for s in plan.steps]
    candidate = replace(plan, steps=tuple(steps))
    before = set(structural_problems(pack))
    problems = [p for p in structural_problems(replace(pack, plan=candidate)) if p not in before]
    named = Names(names.request, pack, candidate)
    for problem in problems:
        found = _WHERE.match(problem)
        where, message = (found.group("where") or "", found.group("message")) if found else ("", problem)
        if where == f"step {step_id}" and (
            match := re.search(r"comes after step '([^']+)', which is in a later phase \(([^)]+)\)", message)
        ):
            add(
                "after",
                _("\u201c%(other)s\u201d is in a later phase (%(phase)s): a step can only come after steps of its own or an earlier phase.")
                % {"other": named.step(match.group(1)), "phase": named.phase(match.group(2))},
            )
        elif match := re.search(rf"comes after step '{re.escape(step_id)}', which is in a later phase", message):
            other = where.removeprefix("step ")
            add(
                "phase",
                _(
                    "\u201c%(other)s\u201d (%(phase)s) comes after this step, so this step cannot be in a later phase. "
                    "Choose an earlier phase, or first untick this step in \u201c%(other)s\u201d."
                )
                % {"other": named.step(other), "phase": named.phase(candidate.step(other).phase)},
            )
        elif match := re.search(r"'after' makes a cycle: (.*)$", message):
            chain = " \u2192 ".join(f"\u201c{named.step(s.strip())}\u201d" for s in match.group(1).split("->"))
            add(
                "after",
                _("This would make a circle: %(steps)s. A step cannot come, directly or through others, after itself.") % {"steps": chain},
            )
        elif where == f"step {step_id}" and message.startswith(("'when", "'unless")):
            add("when" if message.startswith("'when") else "unless", plain_problem(named, problem))
        else:
            add("", plain_problem(named, problem))
    return fields


def _step_form(
    request: web.Request,
    pack: Pack,
    plan: PlanContent,
    step_id: str | None,
    values: dict[str, Any],
    base: str,
    fields: dict[str, list[str]] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> web.Response:
    names = Names(request, pack, plan)
    topics = []
    for topic in sorted(pack.topics.values(), key=lambda t: title_for(t, names.lang).lower() or t.id):
        entries = [(entry.id, title_for(entry, names.lang) or entry.id) for entry in topic.entries.values()]
        if entries:
            topics.append({"title": title_for(topic, names.lang) or topic.id, "entries": entries})
    others = []
    for row in _step_rows(names, plan):
        steps = [(s["step"].id, s["title"]) for s in row["steps"] if s["step"].id != step_id]
        if steps:
            others.append({"heading": row["heading"], "steps": steps})
    fields = fields or {}
    context = {
        "step_id": step_id,
        "step_title": names.entry(values["entry"]) if values["entry"] else "",
        "values": values,
        "base": base,
        "topics": topics,
        "phases": [(phase, names.phase(phase)) for phase in PHASES],
        "questions": [(q, names.question(q), names.options(q)) for q in QUESTIONS],
        "others": others,
        "dependents": [names.step(s.id) for s in plan.steps if step_id and step_id in s.after],
        "fields": fields,
        "errors": errors if errors is not None else [m for messages in fields.values() for m in messages],
    }
    return render(request, "plan_step.html", context, status=status)


def _find_step(data: Any, step_id: str) -> tuple[int, Any]:
    found = plan_edits.find_step(data, step_id)
    if found is None:
        raise web.HTTPNotFound()
    return found


def _new_id(plan: PlanContent, entry_id: str) -> str:
    """A step id from its entry (``banking.open_account`` -> ``open_account``), unused in the plan."""
    taken = {s.id for s in plan.steps}
    topic, _dot, key = entry_id.partition(".")
    for candidate in (key, f"{topic}_{key}"):
        if candidate and candidate not in taken:
            return candidate
    number = 2
    while f"{topic}_{key}_{number}" in taken:
        number += 1
    return f"{topic}_{key}_{number}"


async def _save_step(request: web.Request, step_id: str | None) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    names = Names(request, pack, plan)
    form = await request.post()
    base = str(form.get("base", ""))
    values = _form_step(form, names)
    new = step_id is None
    if not new and step_id not in {s.id for s in plan.steps}:
        raise web.HTTPNotFound()
    target_id = step_id or (_new_id(plan, values["entry"]) if values["entry"] else "")
    fields = _field_problems(names, pack, plan, target_id, values, new)
    if fields:
        return _step_form(request, pack, plan, step_id, values, base, fields, status=400)
    text, data = _load(draft)
    if new:
        plan_edits.add_step(data, target_id, values)
        before, summary = None, f"plan: new step {target_id}"
    else:
        _index, raw = _find_step(data, target_id)
        before = _step_values(plan.step(target_id))
        plan_edits.write_step(data, raw, before, values)
        summary = f"plan: step {target_id}"
    after = {"id": target_id, **values}
    saved = await draft.save(FILE, plan_edits.dump_plan(text, data), base, request["user"].email, summary, before, after)
    if saved.refused:
        errors = [plain_problem(names, p) for p in problem_messages(request, saved)]
        return _step_form(request, pack, plan, step_id, values, base, {"": errors}, status=400)
    return redirect(f"/plan/steps/{target_id}?saved=1")


@routes.get("/plan/steps/{step}")
@requires("read")
async def step_page(request: web.Request) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    try:
        step = plan.step(request.match_info["step"])
    except KeyError:
        raise web.HTTPNotFound() from None
    return _step_form(request, pack, plan, step.id, _step_values(step), text_hash(draft.read(FILE)))


@routes.post("/plan/steps/{step}")
@requires("edit_content")
async def step_save(request: web.Request) -> web.StreamResponse:
    return await _save_step(request, request.match_info["step"])


@routes.get("/plan/add")
@requires("edit_content")
async def step_new_page(request: web.Request) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    return _step_form(request, pack, plan, None, _step_values(None), text_hash(draft.read(FILE)))


@routes.post("/plan/add")
@requires("edit_content")
async def step_add(request: web.Request) -> web.StreamResponse:
    return await _save_step(request, None)


@routes.post("/plan/steps/{step}/delete")
@requires("edit_content")
async def step_delete(request: web.Request) -> web.StreamResponse:
    """Deletes a step once the editor ticked the confirmation; refused while other steps come after it."""
    _ = request["_"]
    draft, pack, plan = await _draft_plan(request)
    names = Names(request, pack, plan)
    try:
        step = plan.step(request.match_info["step"])
    except KeyError:
        raise web.HTTPNotFound() from None
    form = await request.post()
    base = str(form.get("base", ""))
    values = _step_values(step)
    dependents = [s for s in plan.steps if step.id in s.after]
    if dependents:
        message = _("\u201c%(step)s\u201d cannot be deleted: %(steps)s come after it. Untick it in those steps first.") % {
            "step": names.step(step.id),
            "steps": ", ".join(f"\u201c{names.step(s.id)}\u201d" for s in dependents),
        }
        return _step_form(request, pack, plan, step.id, values, base, {"delete": [message]}, status=400)
    if form.get("confirm") != "yes":
        message = _("Tick \u201cYes, delete this step\u201d to delete it.")
        return _step_form(request, pack, plan, step.id, values, base, {"delete": [message]}, status=400)
    text, data = _load(draft)
    index, _raw = _find_step(data, step.id)
    plan_edits.remove_step(data, index)
    summary = f"plan: deleted step {step.id}"
    saved = await draft.save(FILE, plan_edits.dump_plan(text, data), base, request["user"].email, summary, {"id": step.id, **values}, None)
    if saved.refused:
        errors = [plain_problem(names, p) for p in problem_messages(request, saved)]
        return _step_form(request, pack, plan, step.id, values, base, {"delete": errors}, status=400)
    return redirect("/plan?saved=1")


# --- texts per language (editors; translators for their languages) ----------------------------------------------------


def _is_words(item: str) -> bool:
    return item.startswith("commands.") or item.endswith(".words")


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "\n".join(value)
    return str(value or "")


def _parse(item: str, value: str) -> str | tuple[str, ...]:
    """A text as one line; words one per line (or separated by commas), lowercase, each once."""
    if _is_words(item):
        phrases = (" ".join(part.split()).lower() for part in re.split(r"[\n,]", value))
        return tuple(dict.fromkeys(p for p in phrases if p))
    return " ".join(value.split())


def _sections(request: web.Request, names: Names, plan: PlanContent) -> list[dict[str, Any]]:
    """The items of the texts page, grouped as the interview goes: (heading, [(item key, what it is)])."""
    _ = request["_"]
    texts, commands = _text_names(request), _command_names(request)
    sections = [
        {"heading": _("Texts around the interview and the plan"), "items": [(f"texts.{k}", texts.get(k, k)) for k in plan.texts]},
        {"heading": _("Phase headings"), "items": [(f"phases.{p}", names.phase(p)) for p in plan.phases]},
    ]
    for question in plan.questions:
        items = [
            (f"questions.{question.id}.text", _("The question")),
            (f"questions.{question.id}.why", _("The answer to \u201cwhy do you ask?\u201d")),
        ]
        for option in question.options:
            label = names.option(question.id, option.id)
            items.append((f"questions.{question.id}.options.{option.id}.label", _("Button: %(option)s") % {"option": label}))
            items.append(
                (
                    f"questions.{question.id}.options.{option.id}.words",
                    _("What people write for \u201c%(option)s\u201d") % {"option": label},
                )
            )
        sections.append({"heading": _("Question: %(question)s") % {"question": names.question(question.id)}, "items": items})
    sections.append({"heading": _("Commands"), "items": [(f"commands.{c}", commands.get(c, c)) for c in plan.commands]})
    return sections


def _texts_form(
    request: web.Request,
    pack: Pack,
    plan: PlanContent,
    lang: str,
    values: dict[str, str],
    base: str,
    errors: list[str] | None = None,
    ticked: set[str] | None = None,
    status: int = 200,
) -> web.Response:
    names = Names(request, pack, plan)
    items = plan.items()
    statuses = {item: _status(plan, item, lang) for item in items}
    sections = []
    for section in _sections(request, names, plan):
        rows = [
            {
                "key": key,
                "name": name,
                "words": _is_words(key),
                "long": key.endswith((".text", ".why"))
                or key in ("texts.start", "texts.empty", "texts.not_understood", "texts.tick_steps"),
                "source": _shown(items.get(key, {}).get(plan.source_language)),
                "value": values.get(key, ""),
                "status": statuses.get(key, "missing"),
                "ticked": key in ticked if ticked is not None else statuses.get(key) == "ok",
            }
            for key, name in section["items"]
        ]
        sections.append({"heading": section["heading"], "rows": rows})
    context = {
        "lang": lang,
        "language": names.languages[lang],
        "languages": [(code, names.languages[code]) for code in pack.languages],
        "source_language": plan.source_language,
        "source_name": names.languages.get(plan.source_language, plan.source_language),
        "sections": sections,
        "stale": [row for section in sections for row in section["rows"] if row["status"] == "stale"],
        "missing": [row for section in sections for row in section["rows"] if row["status"] == "missing"],
        "base": base,
        "errors": errors or [],
        "may_edit": request["can"]("edit_language", lang),
    }
    return render(request, "plan_texts.html", context, status=status)


def _language(pack: Pack, request: web.Request) -> str:
    lang = request.match_info["lang"]
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    return lang


@routes.get("/plan/texts/{lang}")
@requires("read")
async def texts_page(request: web.Request) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    lang = _language(pack, request)
    values = {item: _shown(texts.get(lang)) for item, texts in plan.items().items()}
    return _texts_form(request, pack, plan, lang, values, text_hash(draft.read(FILE)))


@routes.post("/plan/texts/{lang}")
@requires("edit_language", lang_param="lang")
async def texts_save(request: web.Request) -> web.StreamResponse:
    draft, pack, plan = await _draft_plan(request)
    names = Names(request, pack, plan)
    lang = _language(pack, request)
    form = await request.post()
    base = str(form.get("base", ""))
    source = plan.source_language
    text, data = _load(draft)
    items = plan.items()
    values = {item: _shown(texts.get(lang)) for item, texts in items.items()}
    ticked = {item for item in items if form.get(f"follows.{item}") == "on"}
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for item, texts in items.items():
        field_name = f"text.{item}"
        if field_name not in form:
            continue
        old = texts.get(lang)
        new = _parse(item, str(form[field_name]))
        values[item] = _shown(new)
        changed = new != (_parse(item, _shown(old)) if old else ("" if not _is_words(item) else ()))
        if changed:
            plan_edits.set_item_text(data, item, lang, new)
            before[item], after[item] = old, new
            if lang == source and old:
                # the translations followed the old text (unless already known to be out of date): say so
                for other in pack.languages:
                    if other != source and texts.get(other) and other not in plan.translated_from.get(item, {}):
                        plan_edits.stamp_item(data, item, other, item_fingerprint(old))
        if lang != source and item in ticked and plan.is_stale(item, lang) and texts.get(source):
            plan_edits.stamp_item(data, item, lang, item_fingerprint(texts[source]))
            after.setdefault(item, new)
            before.setdefault(item, old)
    summary = f"plan: {lang} texts"
    saved = await draft.save(FILE, plan_edits.dump_plan(text, data), base, request["user"].email, summary, before, after)
    if saved.refused:
        errors = [plain_problem(names, p) for p in problem_messages(request, saved)]
        return _texts_form(request, pack, plan, lang, values, base, errors, ticked, status=400)
    return redirect(f"/plan/texts/{lang}?saved=1")


# --- preview: the plan of a sample person, from the draft (everyone signed in) ----------------------------------------


@routes.get("/plan/preview")
@requires("read")
async def preview_page(request: web.Request) -> web.StreamResponse:
    _draft, pack, plan = await _draft_plan(request)
    names = Names(request, pack, plan)
    query = request.query
    ui_lang = request["ui_lang"]
    lang = query.get("lang") or (ui_lang if ui_lang in pack.languages else plan.source_language)
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    answers: dict[str, str | None] = {}
    for question_id in QUESTIONS:
        chosen = query.get(question_id, "")
        known = {o for o, _name in names.options(question_id)}
        answers[question_id] = chosen if chosen in known else None
    result = None
    if "lang" in query:
        result = present_plan(pack, build_plan(plan, answers), lang, datetime.now(timezone.utc))
    context = {
        "questions": [(q, names.question(q), names.options(q)) for q in QUESTIONS],
        "answers": answers,
        "lang": lang,
        "languages": [(code, names.languages[code]) for code in pack.languages],
        "result": result,
    }
    return render(request, "plan_preview.html", context)
