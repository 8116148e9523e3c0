"""Edits of the personal plan (``plan.yml``): its steps, and its texts per language with their translation stamps.

``dump_plan`` writes the edited tree back, keeping the line breaks of the
lists of words that did not change (ruamel writes a flow list on one line).
"""

from __future__ import annotations

import re
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from bot.core.plan.model import PHASES, TRANSLATED_FROM
from bot.staff import yamledit

#: the keys of a step that say whom it is for
CONDITIONS = ("when", "unless")
_FLOW_START = re.compile(r"^\s*[^\s#:][^#:]*: \[")


# --- plan.yml as text -------------------------------------------------------------------------------------------------


def _wrapped_lists(text: str) -> dict[str, str]:
    """The flow lists of ``text`` written over several lines, by the one line ruamel writes for each."""
    lines = text.splitlines(keepends=True)
    found: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        depth = line.count("[") - line.count("]") if _FLOW_START.match(line) else 0
        end = index
        while depth > 0 and end + 1 < len(lines):
            end += 1
            depth += lines[end].count("[") - lines[end].count("]")
        if end > index:
            joined = " ".join([lines[index].rstrip(), *(part.strip() for part in lines[index + 1 : end + 1])])
            found[joined] = "".join(lines[index : end + 1])
        index = end + 1
    return found


def dump_plan(original: str, data: Any) -> str:
    """``data`` as YAML; a list of words that did not change keeps its line breaks of ``original``."""
    wrapped = _wrapped_lists(original)
    out = []
    for line in yamledit.dump(data).splitlines(keepends=True):
        kept = wrapped.get(line.rstrip("\n").rstrip())
        out.append(kept if kept is not None else line)
    return "".join(out)


# --- steps ------------------------------------------------------------------------------------------------------------


def _conditions_yaml(conditions: dict[str, list[str]]) -> CommentedMap | None:
    """``when`` or ``unless`` as the plan writes it: ``{question: [answer, ...]}`` on one line; None when empty."""
    if not conditions:
        return None
    mapping = CommentedMap()
    for question_id, options in conditions.items():
        mapping[question_id] = yamledit.flow_list(options)
    mapping.fa.set_flow_style()
    return mapping


def _remove_item(seq: CommentedSeq, index: int) -> Any:
    """Takes an item out of a list; a comment above it (``# ---- the first week ----``) stays above the next one."""
    comment = seq.ca.items.pop(index, None)
    item = seq[index]
    del seq[index]
    if comment is not None and index < len(seq) and index not in seq.ca.items:
        seq.ca.items[index] = comment
    return item


def _place(seq: CommentedSeq, raw: Any, phase: str) -> None:
    """Puts a step at the end of its phase's steps in the file (before the next phase's heading comment)."""
    phases = [str(item.get("phase", "")) for item in seq]
    same = [i for i, p in enumerate(phases) if p == phase]
    if same:
        index = same[-1] + 1
    else:
        later = set(PHASES[PHASES.index(phase) + 1 :]) if phase in PHASES else set()
        index = next((i for i, p in enumerate(phases) if p in later), len(seq))
    seq.insert(index, raw)


def _as_sets(conditions: dict[str, list[str]]) -> dict[str, set[str]]:
    return {question: set(options) for question, options in conditions.items()}


def find_step(data: Any, step_id: str) -> tuple[int, Any] | None:
    """The index and mapping of step ``step_id`` in ``plan.yml``'s steps; None when there is no such step."""
    for index, raw in enumerate(data.get("steps") or []):
        if str(raw.get("id")) == step_id:
            return index, raw
    return None


def write_step(data: Any, raw: Any, before: dict[str, Any], values: dict[str, Any]) -> None:
    """Writes a step's changed fields into its mapping (unchanged ones keep their text); a new phase moves it in the file.

    ``before`` and ``values`` hold ``entry``, ``phase``, ``when``, ``unless``
    (question -> answers) and ``after`` (step ids), as the step was and is to be.
    """
    if values["entry"] != before["entry"]:
        raw["entry"] = values["entry"]
    if values["phase"] != before["phase"]:
        raw["phase"] = values["phase"]
    previous = "phase"
    for kind in CONDITIONS:
        if _as_sets(values[kind]) != _as_sets(before[kind]):
            yamledit.set_or_drop(raw, kind, _conditions_yaml(values[kind]), after=previous)
        previous = kind if kind in raw else previous
    if values["after"] != before["after"]:
        yamledit.set_or_drop(raw, "after", yamledit.flow_list(values["after"]) if values["after"] else None, after=previous)
    if values["phase"] != before["phase"] and before["phase"]:
        steps = data["steps"]
        index = next(i for i, item in enumerate(steps) if item is raw)
        _remove_item(steps, index)
        _place(steps, raw, values["phase"])


def add_step(data: Any, step_id: str, values: dict[str, Any]) -> None:
    """Adds step ``step_id`` (``values`` as for ``write_step``) at the end of its phase's steps."""
    raw = CommentedMap()
    raw["id"] = step_id
    raw["entry"] = values["entry"]
    raw["phase"] = values["phase"]
    blank = {"entry": values["entry"], "phase": values["phase"], "when": {}, "unless": {}, "after": []}
    write_step(data, raw, blank, values)
    if data.get("steps") is None:
        data["steps"] = CommentedSeq()
    _place(data["steps"], raw, values["phase"])


def remove_step(data: Any, index: int) -> None:
    """Deletes the step at ``index`` of the steps; the comment above it stays above the next step."""
    _remove_item(data["steps"], index)


# --- texts per language -----------------------------------------------------------------------------------------------


def _language_map(data: Any, item: str) -> CommentedMap:
    """The mapping of an item's languages in ``plan.yml`` (made when there is none)."""
    *path, last = item.split(".")
    node = data
    for key in path:
        if node.get(key) is None:
            node[key] = CommentedMap()
        node = node[key]
    if node.get(last) is None:
        node[last] = CommentedMap()
    return node[last]


def set_item_text(data: Any, item: str, lang: str, value: str | tuple[str, ...]) -> None:
    """Writes an item's text (``texts.start``, ``questions.city.why``...) or words (a tuple) in ``lang``; empty removes it.

    A text keeps its double quotes, and a new one gets them; the stamps
    (``translated_from``) stay after the languages.
    """
    texts = _language_map(data, item)
    if not value:
        texts.pop(lang, None)
    elif isinstance(value, tuple):
        texts[lang] = yamledit.flow_list(list(value))
    else:
        quoted = isinstance(texts.get(lang), DoubleQuotedScalarString) or texts.get(lang) is None
        texts[lang] = yamledit.quoted(value) if quoted else value
    if TRANSLATED_FROM in texts:
        texts.move_to_end(TRANSLATED_FROM)


def stamp_item(data: Any, item: str, lang: str, fingerprint: str) -> None:
    """Records that an item's ``lang`` translation follows the source text with this fingerprint (``translated_from``)."""
    texts = _language_map(data, item)
    stamps = texts.get(TRANSLATED_FROM)
    if stamps is None:
        stamps = CommentedMap()
        stamps.fa.set_flow_style()
        texts[TRANSLATED_FROM] = stamps
    stamps[lang] = DoubleQuotedScalarString(fingerprint)  # an unquoted 5e432802 reads as a number
