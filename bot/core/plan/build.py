"""Builds a person's plan of the move from the interview's answers: pure, deterministic, no I/O.

Which steps a person gets and in which order is the data of ``plan.yml``;
this module only applies it, so that the chat, the web page and a PDF of
the same answers always show the same plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.plan.model import PHASES, QUESTIONS, PlanContent, PlanStep

#: The location answer of a person already in Latvia: the steps before leaving are behind them.
IN_LATVIA = "in_latvia"
BEFORE_LEAVING = "before_leaving"


@dataclass(frozen=True)
class PlannedStep:
    """A step of a person's plan; ``conditional``: kept only because a question that decides it was skipped."""

    step: PlanStep
    conditional: bool


@dataclass(frozen=True)
class Plan:
    """A person's plan: their answers, and the steps phase by phase (only phases with steps)."""

    answers: dict[str, str | None]
    phases: tuple[tuple[str, tuple[PlannedStep, ...]], ...]

    def steps(self) -> list[PlannedStep]:
        """Every step, in the plan's order."""
        return [planned for _phase, steps in self.phases for planned in steps]


def _applies(step: PlanStep, answers: Mapping[str, str | None]) -> bool | None:
    """Whether ``step`` is in the plan: None when left out, else whether it is conditional.

    A question of ``when`` answered with another option leaves the step out;
    one skipped keeps it, conditionally. ``unless`` leaves the step out only
    when every question it names is answered with one of its options: it is
    a narrow exception, and a skipped question does not make a step that
    applies to nearly everyone doubtful.
    """
    conditional = False
    for question, options in step.when.items():
        answer = answers.get(question)
        if answer is None:
            conditional = True
        elif answer not in options:
            return None
    if step.unless and all(answers.get(q) is not None and answers.get(q) in options for q, options in step.unless.items()):
        return None
    return conditional


def _ordered(steps: list[PlanStep], order: Mapping[str, int]) -> list[PlanStep]:
    """A stable topological order of one phase's steps by ``after``; ties (and a cycle) in ``plan.yml``'s order.

    A dependency that is not among ``steps`` (another phase's step, or one
    not in this plan) counts as satisfied.
    """
    present = {step.id for step in steps}
    waiting = {step.id: {dep for dep in step.after if dep in present and dep != step.id} for step in steps}
    remaining = sorted(steps, key=lambda s: order[s.id])
    result: list[PlanStep] = []
    while remaining:
        ready = next((step for step in remaining if not waiting[step.id]), None)
        if ready is None:  # a cycle (the loader refuses one); keep the file's order rather than loop
            ready = remaining[0]
        remaining.remove(ready)
        result.append(ready)
        for deps in waiting.values():
            deps.discard(ready.id)
    return result


def _answer(plan: PlanContent, question_id: str, value: str | None) -> str | None:
    """``value`` when it answers the question, else None (skipped)."""
    if not value:
        return None
    try:
        options = plan.question(question_id).options
    except KeyError:
        return value
    return value if not options or any(option.id == value for option in options) else None


def build_plan(plan: PlanContent, answers: Mapping[str, str | None]) -> Plan:
    """The plan for ``answers`` (question id -> option id, city id, or None when skipped).

    A question missing from ``answers``, and an answer that is not one of
    the question's options (a slot's "skipped" marker, an option since
    removed from ``plan.yml``), count as skipped; the city is any city id. A
    person already in Latvia gets no "before leaving" phase.
    """
    given = {question: _answer(plan, question, answers.get(question)) for question in QUESTIONS}
    order = {step.id: index for index, step in enumerate(plan.steps)}
    chosen: dict[str, list[PlanStep]] = {phase: [] for phase in PHASES}
    conditional: dict[str, bool] = {}
    for step in plan.steps:
        if step.phase not in chosen or (step.phase == BEFORE_LEAVING and given.get("location") == IN_LATVIA):
            continue
        applies = _applies(step, given)
        if applies is None:
            continue
        chosen[step.phase].append(step)
        conditional[step.id] = applies
    phases = tuple(
        (phase, tuple(PlannedStep(step=step, conditional=conditional[step.id]) for step in _ordered(chosen[phase], order)))
        for phase in PHASES
        if chosen[phase]
    )
    return Plan(answers=given, phases=phases)
