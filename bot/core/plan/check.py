"""Checks of a pack's plan: that its steps fit together, and that it is complete in every language.

Two kinds of problem. A structural one (a step pointing to an entry that
does not exist, an unknown phase, a dependency on a later phase or in a
cycle) would make a wrong plan: ``bot.core.content.loader`` refuses the pack
(``structural_problems``). A missing translation or a phrase two options
share makes the interview worse in one language: ``make content-check``
reports it with the structural ones (``check_plan``).
"""

from __future__ import annotations

from bot.core.content.model import Pack
from bot.core.plan.answers import MIN_STEM_LETTERS, folded, phrase_words
from bot.core.plan.model import CITY_QUESTION, COMMAND_KEYS, PHASES, QUESTIONS, TEXT_KEYS, PlanContent, PlanQuestion, PlanStep

FILE = "plan.yml"


def _problem(where: str, message: str) -> str:
    return f"{FILE} ({where}): {message}"


def _condition_problems(pack: Pack, plan: PlanContent, step: PlanStep, field: str) -> list[str]:
    problems = []
    for question_id, options in getattr(step, field).items():
        if question_id not in QUESTIONS:
            problems.append(
                _problem(f"step {step.id}", f"'{field}' names '{question_id}', which is not a question ({', '.join(QUESTIONS)})")
            )
            continue
        if question_id == CITY_QUESTION:
            known = set(pack.directory.cities)
        else:
            try:
                known = {option.id for option in plan.question(question_id).options}
            except KeyError:
                continue  # the missing question is a problem of its own
        for option in sorted(options - known):
            problems.append(_problem(f"step {step.id}", f"'{field}: {question_id}' names '{option}', which is not one of its answers"))
        if not options:
            problems.append(_problem(f"step {step.id}", f"'{field}: {question_id}' lists no answers"))
    return problems


def _cycles(plan: PlanContent) -> list[str]:
    """One problem for each dependency cycle, naming its steps in order."""
    steps = {step.id: step for step in plan.steps}
    state: dict[str, int] = {}  # 1: being visited, 2: done
    problems: list[str] = []

    def visit(step_id: str, path: list[str]) -> None:
        state[step_id] = 1
        path.append(step_id)
        for dep in steps[step_id].after:
            if dep not in steps:
                continue
            if state.get(dep) == 1:
                cycle = [*path[path.index(dep) :], dep]
                problems.append(_problem(f"step {dep}", f"'after' makes a cycle: {' -> '.join(cycle)}"))
            elif dep not in state:
                visit(dep, path)
        path.pop()
        state[step_id] = 2

    for step_id in steps:
        if step_id not in state:
            visit(step_id, [])
    return problems


def _step_problems(pack: Pack, plan: PlanContent) -> list[str]:
    problems = []
    seen: set[str] = set()
    phase_of = {step.id: step.phase for step in plan.steps}
    for step in plan.steps:
        where = f"step {step.id}"
        if step.id in seen:
            problems.append(_problem(where, "the step id is used twice; every step needs its own"))
        seen.add(step.id)
        if pack.entry(step.entry) is None:
            problems.append(_problem(where, f"entry '{step.entry}' does not exist in the topics (write it as <topic>.<key>)"))
        if step.phase not in PHASES:
            problems.append(_problem(where, f"phase '{step.phase}' is not one of {', '.join(PHASES)}"))
        for dep in step.after:
            if dep not in phase_of:
                problems.append(_problem(where, f"'after' names step '{dep}', which does not exist"))
            elif step.phase in PHASES and phase_of[dep] in PHASES and PHASES.index(phase_of[dep]) > PHASES.index(step.phase):
                problems.append(_problem(where, f"comes after step '{dep}', which is in a later phase ({phase_of[dep]})"))
        problems += _condition_problems(pack, plan, step, "when") + _condition_problems(pack, plan, step, "unless")
    return problems + _cycles(plan)


def _question_structure(question: PlanQuestion) -> list[str]:
    where = f"question {question.id}"
    if question.id == CITY_QUESTION:
        return [_problem(where, "is answered with a place of cities.yml: it has no options")] if question.options else []
    if not question.options:
        return [_problem(where, "has no options")]
    problems = []
    ids = [option.id for option in question.options]
    for option in question.options:
        for other in option.combines:
            if other not in ids or other == option.id:
                problems.append(_problem(f"{where}, option {option.id}", f"'combines' names '{other}', not another option of the question"))
    return problems


def structural_problems(pack: Pack) -> list[str]:
    """Problems that would make a wrong plan; the loader refuses a pack with any."""
    plan = pack.plan
    if plan is None:
        return []
    problems = _step_problems(pack, plan)
    for question in plan.questions:
        problems += _question_structure(question)
    return problems


def _missing(texts: dict[str, str] | dict[str, tuple[str, ...]], pack: Pack, where: str, what: str) -> list[str]:
    return [_problem(where, f"{what} has no '{lang}' text") for lang in pack.languages if not texts.get(lang)]


def _shared(question: PlanQuestion) -> list[str]:
    """A phrase or button title of two options of one question: the answer could not be told."""
    problems = []
    owner: dict[str, str] = {}
    titles: dict[str, str] = {}
    for option in question.options:
        phrases = {" ".join(phrase_words(p)) for ps in option.words.values() for p in ps}
        for phrase in sorted(phrases):
            other = owner.setdefault(phrase, option.id)
            if other != option.id:
                problems.append(_problem(f"question {question.id}", f"the phrase {phrase!r} means both '{other}' and '{option.id}'"))
        for title in {folded(t) for t in option.label.values()}:
            other = titles.setdefault(title, option.id)
            if other != option.id:
                problems.append(_problem(f"question {question.id}", f"the button title {title!r} is both '{other}' and '{option.id}'"))
    return problems


def _short_stems(where: str, phrases: dict[str, tuple[str, ...]]) -> list[str]:
    return [
        _problem(where, f"the stem {word!r} in {phrase!r} is shorter than {MIN_STEM_LETTERS} letters: it would match too many words")
        for items in phrases.values()
        for phrase in items
        for word in phrase_words(phrase)
        if word.endswith("*") and len(word) - 1 < MIN_STEM_LETTERS
    ]


def completeness_problems(pack: Pack) -> list[str]:
    """Texts, buttons and phrases missing in a language of the pack, or shared by two options."""
    plan = pack.plan
    if plan is None:
        return []
    problems = []
    for question in plan.questions:
        where = f"question {question.id}"
        problems += _missing(question.text, pack, where, "the question") + _missing(question.why, pack, where, "'why'")
        for option in question.options:
            option_where = f"{where}, option {option.id}"
            problems += _missing(option.label, pack, option_where, "the button title")
            problems += _missing(option.words, pack, option_where, "'words'")
            problems += _short_stems(option_where, option.words)
        problems += _shared(question)
    for phase in PHASES:
        problems += _missing(plan.phases.get(phase, {}), pack, f"phase {phase}", "the heading")
    for key in TEXT_KEYS:
        problems += _missing(plan.texts.get(key, {}), pack, f"texts {key}", "the text")
    for command in COMMAND_KEYS:
        phrases = plan.commands.get(command, {})
        problems += _missing(phrases, pack, f"command {command}", "the command") + _short_stems(f"command {command}", phrases)
    return problems


def check_plan(pack: Pack) -> list[str]:
    """Every problem of the pack's plan (none when the pack has no plan), each naming plan.yml and where in it."""
    return structural_problems(pack) + completeness_problems(pack)
