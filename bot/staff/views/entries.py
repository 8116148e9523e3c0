"""Knowledge-base entries of a topic: adding one, its facts, its text per language, deleting it.

An entry lives in its topic's file (``entries: <key>: ...``) and is saved
through the same validated draft as the topic. A save of an entry is refused
when it brings a new error (not for the entry's errors that were there
before: a new entry starts with its languages still to be written, and a
translator saving Latvian is not held up by the Russian text still missing).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from aiohttp import web

from bot.core.content.check import MAX_ENTRY_ANSWER_CHARS, MAX_ENTRY_TITLE_CHARS, MIN_ENTRY_EXAMPLES
from bot.core.content.model import ENTRY_SEPARATOR, OVERVIEW_KEY, Entry, Pack, Topic
from bot.staff import yamledit
from bot.staff.draft import Draft, text_hash
from bot.staff.templating import render
from bot.staff.views.content import (
    after_save,
    asks_for_review,
    facts_values,
    is_still_stale,
    languages_first,
    minor_edit_messages,
    outcome_of,
    own_languages,
    problem_messages,
    requested_language,
    requested_topic,
    set_reviewed_today,
    source_changes,
    text_summary,
    text_values,
    title_for,
    topic_file,
    topic_form,
    translation_status,
    write_text,
)
from bot.staff.views.names import language_names
from bot.staff.web import DRAFT, error_page, redirect, requires

routes = web.RouteTableDef()
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_KEY = 60
LIMITS = {"answer": MAX_ENTRY_ANSWER_CHARS, "title": MAX_ENTRY_TITLE_CHARS, "examples": MIN_ENTRY_EXAMPLES}


def _entry(topic: Topic, request: web.Request) -> Entry:
    entry = topic.entries.get(request.match_info["entry"])
    if entry is None:
        raise web.HTTPNotFound()
    return entry


def _entry_path(entry: Entry) -> str:
    return f"/entries/{entry.topic}/{entry.key}"


def _where(entry: Entry) -> tuple[str, ...]:
    """How check messages name an entry: by its place in the file and by its id."""
    return (f"{topic_file(entry.topic)} (entry {entry.key}):", f"{entry.id}:")


#: the content check's out-of-date warning ("... update it, then run make content-stamp"): a developer's instruction;
#: the pages show the status, what changed in the source, and the tick that marks a translation up to date instead
_STALE_WARNING = re.compile(r"does not follow the current '[a-z]+' text")


async def _current_problems(draft: Draft, entry: Entry) -> list[str]:
    """The draft's errors and warnings about this entry, for the page to show what is still to do."""
    state = await draft.state()
    return [p for p in [*state.errors, *state.warnings] if p.startswith(_where(entry)) and not _STALE_WARNING.search(p)]


# --- adding an entry (editors) ------------------------------------------------


@routes.post("/entries/{topic}")
@requires("edit_content")
async def entry_add(request: web.Request) -> web.StreamResponse:
    """Adds an entry to a topic: its key and (optionally) its title in the source language; the texts follow on its pages."""
    _ = request["_"]
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    form = await request.post()
    key = str(form.get("key", "")).strip()
    title = " ".join(str(form.get("title", "")).split())
    problems = []
    if not KEY.match(key) or len(key) > MAX_KEY:
        message = _("An entry key uses lowercase letters, digits and _ only, starts with a letter and has at most %(count)d characters.")
        problems.append(message % {"count": MAX_KEY})
    elif key == OVERVIEW_KEY:
        problems.append(_("The key %(key)s is the topic's own answer; choose another.") % {"key": OVERVIEW_KEY})
    elif key in topic.entries:
        problems.append(_("This topic already has an entry %(key)s.") % {"key": key})
    if len(title) > MAX_ENTRY_TITLE_CHARS:
        problems.append(_("A title has at most %(count)d characters.") % {"count": MAX_ENTRY_TITLE_CHARS})
    relative = topic_file(topic.id)
    text = draft.read(relative)
    if not problems:
        data = yamledit.load(text)
        yamledit.add_entry(data, key, date.today(), list(topic.sources), topic.source_language, title)
        after = {"entry": key, "title": title}
        new_entry = (f"{relative} (entry {key}):", f"{topic.id}{ENTRY_SEPARATOR}{key}:")
        count = re.compile(rf"^{re.escape(relative)}: has \d+ entries; at least")

        def still_to_write(problem: str) -> bool:
            # the new entry's own gaps (its texts are written next) and the topic's count of entries, which it raises
            return problem.startswith(new_entry[0]) or bool(count.match(problem))

        saved = await draft.save(
            relative,
            yamledit.dump(data),
            text_hash(text),
            request["user"].email,
            f"new entry {key}",
            None,
            after,
            scope=(),
            tolerate=still_to_write,
        )
        if not saved.refused:
            return redirect(f"/entries/{topic.id}/{key}?saved=1")
        problems = problem_messages(request, saved)
    values = facts_values(yamledit.load(text))
    extra = {"new_entry": {"key": key, "title": title}, "entry_errors": problems}
    return topic_form(request, pack, topic, values, text_hash(text), [], status=400, extra=extra)


# --- an entry's facts: offices, sources, reviewed date (editors) ---------------


def _entry_facts(raw: Any, topic: Topic) -> dict[str, Any]:
    own = "offices" in raw
    return {
        "offices": [str(o) for o in raw.get("offices") or []] if own else list(topic.offices),
        "own_offices": own,
        "sources": [str(s) for s in raw.get("sources") or []],
        "reviewed": str(raw.get("reviewed", "")),
    }


def _entry_form(
    request: web.Request,
    pack: Pack,
    topic: Topic,
    entry: Entry,
    values: dict[str, Any],
    base: str,
    errors: list[str],
    current: list[str],
    status: int = 200,
) -> web.Response:
    context = {
        "topic": topic,
        "entry": entry,
        "pack": pack,
        "values": values,
        "base": base,
        "errors": errors,
        "current": current,
        "title": title_for(entry, request["ui_lang"]),
        "statuses": {lang: translation_status(entry, lang) for lang in pack.languages},
        "own": own_languages(request["user"], pack),
        "languages": languages_first(request["user"], pack),
        "topic_title": title_for(pack.topics[entry.topic], request["ui_lang"]) or entry.topic,
        "language_names": language_names(request, list(pack.languages)),
        **outcome_of(request, pack),
    }
    return render(request, "entry.html", context, status=status)


def _load_entry(draft: Draft, topic: Topic, entry: Entry) -> tuple[str, Any, Any]:
    text = draft.read(topic_file(topic.id))
    data = yamledit.load(text)
    raw = yamledit.entry(data, entry.key)
    if raw is None:
        raise web.HTTPNotFound()
    return text, data, raw


@routes.get("/entries/{topic}/{entry}")
@requires("read")
async def entry_page(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    text, _data, raw = _load_entry(draft, topic, entry)
    current = await _current_problems(draft, entry)
    return _entry_form(request, pack, topic, entry, _entry_facts(raw, topic), text_hash(text), [], current)


@routes.post("/entries/{topic}/{entry}/delete")
@requires("edit_content")
async def entry_delete(request: web.Request) -> web.StreamResponse:
    """Deletes an entry, once the editor ticked the confirmation (its text stays in the versions)."""
    _ = request["_"]
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    form = await request.post()
    _text_before, data, raw = _load_entry(draft, topic, entry)
    base = str(form.get("base", ""))
    current = await _current_problems(draft, entry)
    if form.get("confirm") != "yes":
        errors = [_("Tick \u201cYes, delete this entry\u201d to delete it.")]
        return _entry_form(request, pack, topic, entry, _entry_facts(raw, topic), base, errors, current, status=400)
    before = {"entry": entry.key, "translations": {lang: text_values(raw, lang) for lang in entry.translations}}
    yamledit.remove_entry(data, entry.key)
    relative = topic_file(topic.id)
    summary = f"deleted entry {entry.key}"
    saved = await draft.save(relative, yamledit.dump(data), base, request["user"].email, summary, before, None, scope=())
    if saved.refused:
        errors = problem_messages(request, saved)
        return _entry_form(request, pack, topic, entry, _entry_facts(raw, topic), base, errors, current, status=400)
    return redirect(f"/topics/{topic.id}?saved=1")


@routes.post("/entries/{topic}/{entry}")
@requires("edit_content")
async def entry_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    form = await request.post()
    _text_before, data, raw = _load_entry(draft, topic, entry)
    before = _entry_facts(raw, topic)
    offices = [str(o) for o in form.getall("offices", [])]
    values = {
        "offices": offices,
        # an entry that named no offices keeps pointing to the topic's while they are the same
        "own_offices": before["own_offices"] or offices != list(topic.offices),
        "sources": yamledit.lines(str(form.get("sources", ""))),
        "reviewed": str(form.get("reviewed", "")).strip(),
    }
    if values["own_offices"]:
        yamledit.set_entry_offices(raw, offices)
    yamledit.assign(raw, "reviewed", yamledit.a_date(values["reviewed"]))
    yamledit.assign(raw, "sources", values["sources"])
    base = str(form.get("base", ""))
    summary = f"entry {entry.key} facts"
    saved = await draft.save(topic_file(topic.id), yamledit.dump(data), base, request["user"].email, summary, before, values, scope=())
    if saved.refused:
        current = await _current_problems(draft, entry)
        return _entry_form(request, pack, topic, entry, values, base, problem_messages(request, saved), current, status=400)
    return redirect(after_save(_entry_path(entry), saved))


# --- one language of an entry: title, answer, ways of asking (editors, translators of that language)


async def _entry_language_form(
    request: web.Request,
    pack: Pack,
    topic: Topic,
    entry: Entry,
    lang: str,
    values: dict[str, Any],
    base: str,
    errors: list[str],
    current: list[str],
    status: int = 200,
) -> web.Response:
    context = {
        "topic_title": title_for(topic, request["ui_lang"]) or topic.id,
        "entry_title": title_for(entry, request["ui_lang"]) or entry.key,
        "topic": topic,
        "entry": entry,
        "pack": pack,
        "lang": lang,
        "values": values,
        "base": base,
        "errors": errors,
        "current": [p for p in current if f"'{lang}'" in p],
        "source": entry.translations.get(entry.source_language),
        "status_": translation_status(entry, lang),
        "may_edit": request["can"]("edit_language", lang),
        "limits": LIMITS,
        "changes": await source_changes(request, entry, topic.id, entry.key, lang),
        **outcome_of(request, pack),
    }
    return render(request, "entry_language.html", context, status=status)


@routes.get("/entries/{topic}/{entry}/{lang}")
@requires("read")
async def entry_language_page(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    lang = requested_language(pack, request)
    text, _data, raw = _load_entry(draft, topic, entry)
    current = await _current_problems(draft, entry)
    return await _entry_language_form(request, pack, topic, entry, lang, text_values(raw, lang), text_hash(text), [], current)


@routes.post("/entries/{topic}/{entry}/{lang}")
@requires("edit_language", lang_param="lang")
async def entry_language_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    lang = requested_language(pack, request)
    form = await request.post()
    _text_before, data, raw = _load_entry(draft, topic, entry)
    before = text_values(raw, lang)
    values = {
        "title": " ".join(str(form.get("title", "")).split()),
        "answer": str(form.get("answer", "")).replace("\r\n", "\n").strip(),
        "examples": yamledit.lines(str(form.get("examples", ""))),
    }
    kept = write_text(raw, lang, entry.source_language, values, form)
    base = str(form.get("base", ""))
    summary = text_summary(f"entry {entry.key} {lang} text", kept)
    saved = await draft.save(topic_file(topic.id), yamledit.dump(data), base, request["user"].email, summary, before, values, scope=())
    if saved.refused:
        current = await _current_problems(draft, entry)
        errors = minor_edit_messages(request, saved, kept)
        return await _entry_language_form(request, pack, topic, entry, lang, values, base, errors, current, status=400)
    stale = is_still_stale(raw, lang, entry.source_language)
    return redirect(after_save(f"{_entry_path(entry)}/{lang}", saved, stale, kept, asks_for_review(request, before, values)))


@routes.post("/entries/{topic}/{entry}/reviewed/today")
@requires("edit_content")
async def entry_reviewed_today(request: web.Request) -> web.StreamResponse:
    """The entry's review date set to today (the prompt after a changed number), back to the page it came from."""
    pack = await request.app[DRAFT].pack()
    topic = requested_topic(pack, request)
    entry = _entry(topic, request)
    form = await request.post()
    back = str(form.get("next", ""))
    back = back if back.startswith(_entry_path(entry)) and "//" not in back else _entry_path(entry)
    saved = await set_reviewed_today(request, f"topics/{topic.id}.yml", entry.key, f"review date of entry {entry.key} set to today")
    if saved.refused:
        return error_page(request, 400, " ".join(problem_messages(request, saved)))
    return redirect(f"{back}?saved=1")
