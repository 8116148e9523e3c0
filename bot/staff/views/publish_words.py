"""Publish and rollback steps and outcomes in plain words, in the staff member's interface language.

``bot.staff.publish`` records each step's detail and the job's message in
English for operators and scripts (server names, model files, paths). The
pages show these sentences instead, keeping the recorded text behind a
"technical details" disclosure, so a publisher reads what happened without
``blue``/``green``, file paths or Python warnings.
"""

from __future__ import annotations

import re
from typing import Any, Callable

Gettext = Callable[[str], str]

_PERCENT = re.compile(r"accuracy (\d+(?:\.\d+)?%)")
_SECONDS = re.compile(r" in (\d+(?:\.\d+)?) s")
_WARNINGS = re.compile(r"\(and (\d+) warning\(s\)\)")
_FILES = re.compile(r"^(\d+) file\(s\)")
_JOB = re.compile(r"job (\d+)")
_WARNING_LINE = re.compile(r"\b\w*Warning\b")


def _first(pattern: re.Pattern[str], text: str) -> str | None:
    found = pattern.search(text or "")
    return found.group(1) if found else None


def _done(_: Gettext, name: str, detail: str, mode: str | None) -> str:
    percent = _first(_PERCENT, detail)
    if name == "validate":
        files, warnings = _first(_FILES, detail) or "?", _first(_WARNINGS, detail)
        text = _("%(files)s changed files checked: no errors.") % {"files": files}
        return text + (" " + _("%(count)s warnings (for example translations out of date).") % {"count": warnings} if warnings else "")
    if name == "compare":
        if detail.startswith("answer-only"):
            return _("Only answers, offices or interface strings changed: no training is needed.")
        return _("Ways of asking changed: a new model is needed.")
    if name == "train":
        return _("A new model was trained.")
    if name in ("baseline", "evaluate") and percent:
        who = _("The live model") if name == "baseline" else _("The new model")
        return _("%(who)s understands %(percent)s of the test questions.") % {"who": who, "percent": percent}
    if name == "load":
        seconds = _first(_SECONDS, detail)
        return _("The new model was loaded on the standby server in %(seconds)s s; users were not affected.") % {"seconds": seconds or "?"}
    if name == "gate":
        return _("The new model understands people at least as well as the live one.")
    if name == "go_live":
        return _("Live: users get the new content from their next message.")
    if name == "check":
        return _("Found the publish to undo (job %(job)s).") % {"job": _first(_JOB, detail) or "?"}
    return detail


def step_in_words(_: Gettext, step: dict[str, Any], mode: str | None = None) -> str:
    """What a step did (or why it was skipped, or that it failed), for a publisher."""
    state, name, detail = step.get("state"), str(step.get("name")), str(step.get("detail") or "")
    if state == "done":
        return _done(_, name, detail, mode)
    if state == "skipped":
        if detail == "answer-only change":
            return _("Not needed: only answers changed.")
        return _("Not needed: the model to go back to is still loaded.")
    if state == "failed":
        return _("This step failed; see the message above.")
    if state == "running":
        return _("In progress…")
    return ""


def message_in_words(_: Gettext, job: dict[str, Any]) -> str:
    """Why a job ended as it did, for a publisher (empty for a success, which the page says itself)."""
    state, message = job.get("state"), str(job.get("message") or "")
    if state in ("succeeded", "running", None):
        return ""
    if "nothing to publish" in message:
        return _("Nothing to publish: the draft is the same as the published content.")
    if "the draft has errors" in message:
        return _("The draft has errors, so nothing was published. The Overview page lists them; fix them and publish again.")
    if "ZERO_DOWNTIME" in message:
        return _(
            "This change teaches the assistant new ways of asking, which needs a new model, and this installation cannot load one"
            " while it runs. Nothing changed for users. Ask the person who runs the assistant."
        )
    if "do not answer" in message:
        return _("The assistant's servers do not answer, so nothing was changed. Ask the person who runs the assistant.")
    if "understands less" in message:
        return _(
            "Refused: the new model understood fewer test questions than the live one, so nothing changed for users. Check the"
            " ways of asking you added (a question added to the wrong topic is the usual cause)."
        )
    if "no publish to roll back" in message:
        return _("There is no publish to roll back: nothing was changed.")
    return _("Something went wrong and nothing changed for users. The technical details below are for the person who runs the assistant.")


def readable_log(log: str) -> str:
    """A step's output without Python's warning lines (and the source line printed under each)."""
    kept: list[str] = []
    skip_next = False
    for line in log.splitlines():
        if skip_next and line.startswith((" ", "\t")):
            skip_next = False
            continue
        skip_next = bool(_WARNING_LINE.search(line)) and ".py:" in line
        if not skip_next:
            kept.append(line)
    return "\n".join(kept)
