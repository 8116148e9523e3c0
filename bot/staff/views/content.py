"""Content pages: topics (per-topic facts and per-language text), the translation overview, offices, versions."""

from __future__ import annotations

import difflib
import re
from datetime import date, datetime
from typing import Any, Mapping
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.core.content.model import Answer, Pack, Topic
from bot.core.offices.places import plain
from bot.staff import contacts, yamledit
from bot.staff.draft import Draft, SaveResult, followed_source, later_versions, text_hash, version, versions
from bot.staff.edits import offices as office_edits
from bot.staff.edits import topics as topic_edits
from bot.staff.permissions import User
from bot.staff.problems import shown
from bot.staff.templating import render
from bot.staff.views.names import language_names
from bot.staff.web import CONFIG, DRAFT, ENGINE, LANGUAGES, error_page, redirect, requires

routes = web.RouteTableDef()


async def _pack(request: web.Request) -> Pack:
    return await request.app[DRAFT].pack()


def requested_topic(pack: Pack, request: web.Request) -> Topic:
    topic = pack.topics.get(request.match_info["topic"])
    if topic is None:
        raise web.HTTPNotFound()
    return topic


def translation_status(answer: Answer, lang: str) -> str:
    """'ok', 'missing' (no answer or title) or 'stale' (translated from an older source text): a topic's or an entry's."""
    tr = answer.translations.get(lang)
    if tr is None or not tr.answer or not tr.title:
        return "missing"
    return "stale" if answer.is_stale(lang) else "ok"


def title_for(answer: Answer, lang: str) -> str:
    """An answer's title in ``lang`` (the staff member's interface language), else in its source language."""
    tr = answer.translations.get(lang)
    if tr is not None and tr.title:
        return tr.title
    source = answer.translations.get(answer.source_language)
    return (source.title if source else None) or ""


def problem_messages(request: web.Request, result: SaveResult) -> list[str]:
    """A refused save's problems in plain words in the interface language, each knowing its field (bot.staff.problems)."""
    _ = request["_"]
    if result.conflict:
        return [_("Someone else saved this since you opened it. Reload the page to see their change, then edit again.")]
    return list(shown(_, list(result.problems)))


# --- whose languages: a translator sees their own first (or only), editors see all


def own_languages(user: User | None, pack: Pack) -> list[str]:
    """A translator's languages in the pack's order; empty for editors (they work on every language) and everyone else."""
    if user is None or user.has("editor") or not user.has("translator"):
        return []
    return [lang for lang in pack.languages if lang in user.languages]


def languages_first(user: User | None, pack: Pack) -> list[str]:
    """Every language of the pack, a translator's own first."""
    own = own_languages(user, pack)
    return own + [lang for lang in pack.languages if lang not in own]


#: a translation's statuses, in the order the filters offer them
STATUSES = ("stale", "missing", "ok")


def status_counts(pack: Pack, lang: str) -> dict[str, int]:
    """How many answers (overviews and entries) are up to date ('ok'), 'missing' and 'stale' in ``lang``."""
    counts = dict.fromkeys(STATUSES, 0)
    for answer in pack.answers():
        counts[translation_status(answer, lang)] += 1
    return counts


def _translated_languages(pack: Pack) -> list[str]:
    """The languages that are a translation somewhere (not the source language of every answer)."""
    return [lang for lang in pack.languages if any(answer.source_language != lang for answer in pack.answers())]


@routes.get("/")
@requires("read")
async def dashboard(request: web.Request) -> web.StreamResponse:
    state = await request.app[DRAFT].state()
    context: dict[str, Any] = {"state": state, "rows": [], "only_own": False}
    if state.pack is not None:
        pack = state.pack
        own = own_languages(request["user"], pack)
        context["only_own"] = bool(own) and request.query.get("languages") != "all"
        context["may_narrow"] = bool(own)
        shown = own if context["only_own"] else _translated_languages(pack)
        context["rows"] = [{"lang": lang, "name": pack.languages[lang].name, "counts": status_counts(pack, lang)} for lang in shown]
    return render(request, "dashboard.html", context)


@routes.get("/topics")
@requires("read")
async def topic_list(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    lang, search = request["ui_lang"], " ".join(request.query.get("q", "").split())[:100]
    topics = sorted(pack.topics.values(), key=lambda t: (title_for(t, lang) or t.id).lower())
    rows = [
        (topic, title_for(topic, lang) or topic.id, {code: translation_status(topic, code) for code in pack.languages})
        for topic in topics
        if _topic_matches(topic, search)
    ]
    languages = languages_first(request["user"], pack)
    context = {"rows": rows, "languages": languages, "language_names": language_names(request, languages), "q": search}
    return render(request, "topics.html", context)


def _topic_matches(topic: Topic, search: str) -> bool:
    """True when ``search`` is in the topic's id, or a title of the topic or one of its entries in any language."""
    if not search:
        return True
    names = [topic.id, *(t.title or "" for answer in topic.all_answers() for t in answer.translations.values())]
    needle = plain(search)  # "uzturesanas" finds "uzturēšanās"
    return any(needle in plain(name) for name in names)


# --- a topic's facts: offices, sources, reviewed date (editors) -------------


def topic_file(topic_id: str) -> str:
    return f"topics/{topic_id}.yml"


def facts_values(data: Any) -> dict[str, Any]:
    return {
        "offices": list(data.get("offices") or []),
        "sources": list(data.get("sources") or []),
        "reviewed": str(data.get("reviewed", "")),
    }


@routes.get("/topics/{topic}")
@requires("read")
async def topic_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    topic = requested_topic(pack, request)
    text = request.app[DRAFT].read(topic_file(topic.id))
    values = facts_values(yamledit.load(text))
    return topic_form(request, pack, topic, values, text_hash(text), [])


def topic_form(
    request: web.Request,
    pack: Pack,
    topic: Topic,
    values: dict[str, Any],
    base: str,
    errors: list[str],
    status: int = 200,
    extra: dict[str, Any] | None = None,
) -> web.Response:
    statuses = {lang: translation_status(topic, lang) for lang in pack.languages}
    entries = [
        {
            "entry": entry,
            "title": title_for(entry, request["ui_lang"]),
            "statuses": {lang: translation_status(entry, lang) for lang in pack.languages},
        }
        for entry in topic.entries.values()
    ]
    context = {
        "topic": topic,
        "pack": pack,
        "values": values,
        "base": base,
        "errors": errors,
        "statuses": statuses,
        "entries": entries,
        "new_entry": {"key": "", "title": ""},
        "entry_errors": [],
        "own": own_languages(request["user"], pack),
        "languages": languages_first(request["user"], pack),
        "title": title_for(topic, request["ui_lang"]) or topic.id,
        "language_names": language_names(request, list(pack.languages)),
        **outcome_of(request, pack),
    }
    context.update(extra or {})
    return render(request, "topic.html", context, status=status)


@routes.post("/topics/{topic}")
@requires("edit_content")
async def topic_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    topic = requested_topic(pack, request)
    form = await request.post()
    relative = topic_file(topic.id)
    data = yamledit.load(draft.read(relative))
    before = facts_values(data)
    values = {
        "offices": [str(o) for o in form.getall("offices", [])],
        "sources": yamledit.lines(str(form.get("sources", ""))),
        "reviewed": str(form.get("reviewed", "")).strip(),
    }
    topic_edits.set_topic_facts(data, values["offices"], values["sources"], values["reviewed"])
    base = str(form.get("base", ""))
    saved = await draft.save(relative, yamledit.dump(data), base, request["user"].email, "facts", before, values)
    if saved.refused:
        return topic_form(request, pack, topic, values, base, problem_messages(request, saved), status=400)
    return redirect(after_save(f"/topics/{topic.id}", saved))


def after_save(path: str, saved: SaveResult, still_stale: bool = False, kept: list[str] | None = None, review: bool = False) -> str:
    """Where a successful save goes: the page with what happened, "Saved" only when something was saved as meant.

    ``saved=1`` shows the green "Saved"; ``outcome=unchanged`` says nothing
    changed; ``outcome=stale`` warns that a saved translation is still out of
    date; ``kept`` lists the translations a minor edit kept up to date;
    ``review=1`` asks whether the changed facts were checked today.
    """
    if saved.unchanged:
        query: dict[str, str] = {"outcome": "unchanged"}
    elif still_stale:
        query = {"outcome": "stale"}
    else:
        query = {"saved": "1", **({"kept": ",".join(kept)} if kept else {})}
    if review and not saved.unchanged:
        query["review"] = "1"
    return f"{path}?{urlencode(query, safe=',')}"


def outcome_of(request: web.Request, pack: Pack) -> dict[str, Any]:
    """What the page says about the save that led to it (see ``after_save``)."""
    kept = [lang for lang in request.query.get("kept", "").split(",") if lang in pack.languages]
    return {"outcome": request.query.get("outcome", ""), "kept": kept, "review_prompt": request.query.get("review") == "1"}


_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")


def numbers_changed(before: str, after: str) -> bool:
    """True when the numbers of a text (fees, days, hours, dates) changed: a fact whose review date should follow."""
    return sorted(_NUMBER.findall(before or "")) != sorted(_NUMBER.findall(after or ""))


def asks_for_review(request: web.Request, before: dict[str, Any], values: dict[str, Any]) -> bool:
    """After an editor changed a number in an answer: offer to set the review date to today."""
    return request["can"]("edit_content") and numbers_changed(str(before.get("answer", "")), str(values.get("answer", "")))


def today(request: web.Request) -> date:
    """Today in the staff app's time zone (the review date users see as "checked on")."""
    return datetime.now(ZoneInfo(request.app[CONFIG].timezone)).date()


async def set_reviewed_today(request: web.Request, relative: str, entry_key: str | None, summary: str) -> SaveResult:
    """Sets the review date of a topic's overview (``entry_key`` None) or one entry to today, as a validated save."""
    draft: Draft = request.app[DRAFT]
    text = draft.read(relative)
    data = yamledit.load(text)
    mapping = yamledit.answer_mapping(data, entry_key)
    before = str(mapping.get("reviewed", ""))
    topic_edits.set_reviewed(mapping, today(request))
    after = {"reviewed": today(request).isoformat()}
    return await draft.save(relative, yamledit.dump(data), text_hash(text), request["user"].email, summary, {"reviewed": before}, after)


# --- one language of a topic: title, answer, ways of asking (editors, translators of that language)


def text_values(data: Any, lang: str) -> dict[str, Any]:
    tr = (data.get("translations") or {}).get(lang) or {}
    return {
        "title": str(tr.get("title") or ""),
        "answer": str(tr.get("answer") or ""),
        "examples": [str(e) for e in tr.get("examples") or []],
        "translated_from": tr.get("translated_from"),
    }


def requested_language(pack: Pack, request: web.Request) -> str:
    lang = request.match_info["lang"]
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    return lang


def write_text(mapping: Any, lang: str, source_language: str, values: dict[str, Any], form: Mapping[str, Any]) -> list[str] | None:
    """Writes the text of a language's form into a topic file or an entry (``mapping``); ``values`` records its stamp.

    The form's ticks say whether a translation "matches the current source
    text" and whether a save of the source text is a minor edit; returns the
    languages a minor edit kept up to date (None when the save is not one).
    """
    minor_edit, up_to_date = form.get("minor_edit") == "on", form.get("up_to_date") == "on"
    written = topic_edits.write_language_text(mapping, lang, source_language, values, minor_edit=minor_edit, up_to_date=up_to_date)
    values.update(written.recorded())
    return written.kept


def text_summary(prefix: str, kept: list[str] | None) -> str:
    """A text save's version summary, saying when it was a minor edit and which translations it kept up to date."""
    if kept is None:
        return prefix
    return f"{prefix}, minor edit: " + (f"{', '.join(kept)} kept up to date" if kept else "no translation followed the old text")


def is_still_stale(mapping: Any, lang: str, source_language: str) -> bool:
    """True when ``lang``'s translation (title and answer written) does not follow the source text in ``mapping``."""
    tr = (mapping.get("translations") or {}).get(lang)
    if lang == source_language or not isinstance(tr, dict) or not tr.get("title") or not tr.get("answer"):
        return False
    return yamledit.follows(tr) != yamledit.source_fingerprint(mapping, source_language)


def minor_edit_messages(request: web.Request, result: SaveResult, kept: list[str] | None) -> list[str]:
    """The save's problems; after a minor edit that changed a number, first why (translations would state the old one)."""
    _ = request["_"]
    messages = problem_messages(request, result)
    if kept and any("numbers differ" in p for p in result.problems):
        hint = _(
            "A minor edit keeps the translations up to date, so it cannot change numbers."
            " Save without “Minor edit”: the translators then update theirs."
        )
        messages = [hint, *messages]
    return messages


# --- what changed in the source text since a translation followed it ---------

#: words (a number such as 4.27 or a date such as 01.02.2026 is one), runs of spaces, single signs
_TOKEN = re.compile(r"\s+|\w+(?:[.,:/-]\w+)*|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``new`` against ``old`` word by word: ("same" | "del" | "ins", text) segments, in reading order.

    The spaces between two changed words belong to the change, so that a
    rewritten phrase reads as one deletion and one insertion.
    """
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    chunks: list[tuple[bool, str, str]] = []  # (changed, old text, new text)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        was, now = "".join(a[i1:i2]), "".join(b[j1:j2])
        changed = tag != "equal" or (not was.strip() and bool(chunks) and (i2 < len(a) or j2 < len(b)))
        if chunks and chunks[-1][0] == changed:
            chunks[-1] = (changed, chunks[-1][1] + was, chunks[-1][2] + now)
        else:
            chunks.append((changed, was, now))
    segments = []
    for changed, was, now in chunks:
        if not changed:
            segments.append(("same", was))
            continue
        segments += [("del", was)] if was else []
        segments += [("ins", now)] if now else []
    return segments


async def source_changes(request: web.Request, answer: Answer, topic_id: str, key: str | None, lang: str) -> dict[str, Any] | None:
    """For an out-of-date translation: the source text it followed (from the versions) against the current one.

    None when the translation is not out of date. ``found`` is False when no
    version holds the old text (then the page shows the current source only);
    ``never`` when the translation was never marked as following any.
    """
    source = answer.translations.get(answer.source_language)
    if translation_status(answer, lang) != "stale" or source is None:
        return None
    followed = answer.translations[lang].translated_from
    old = await followed_source(request.app[ENGINE], topic_file(topic_id), key, followed)
    changes: dict[str, Any] = {"found": old is not None, "never": not followed, "old": old}
    if old is not None:
        changes["title"] = word_diff(old.title, source.title or "")
        changes["answer"] = word_diff(old.answer, source.answer or "")
    return changes


async def _language_form(
    request: web.Request, pack: Pack, topic: Topic, lang: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    source = topic.translations.get(topic.source_language)
    context = {
        "topic_title": title_for(topic, request["ui_lang"]) or topic.id,
        "topic": topic,
        "pack": pack,
        "lang": lang,
        "values": values,
        "base": base,
        "errors": errors,
        "source": source,
        "status_": translation_status(topic, lang),
        "may_edit": request["can"]("edit_language", lang),
        "changes": await source_changes(request, topic, topic.id, None, lang),
        **outcome_of(request, pack),
    }
    return render(request, "topic_language.html", context, status=status)


@routes.get("/topics/{topic}/{lang}")
@requires("read")
async def topic_language_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    topic = requested_topic(pack, request)
    lang = requested_language(pack, request)
    text = request.app[DRAFT].read(topic_file(topic.id))
    return await _language_form(request, pack, topic, lang, text_values(yamledit.load(text), lang), text_hash(text), [])


@routes.post("/topics/{topic}/{lang}")
@requires("edit_language", lang_param="lang")
async def topic_language_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    topic = requested_topic(pack, request)
    lang = requested_language(pack, request)
    form = await request.post()
    relative = topic_file(topic.id)
    data = yamledit.load(draft.read(relative))
    before = text_values(data, lang)
    values = {
        "title": str(form.get("title", "")).strip(),
        "answer": str(form.get("answer", "")).replace("\r\n", "\n").strip(),
        "examples": yamledit.lines(str(form.get("examples", ""))),
    }
    kept = write_text(data, lang, topic.source_language, values, form)
    summary = text_summary(f"{lang} text", kept)
    base = str(form.get("base", ""))
    saved = await draft.save(relative, yamledit.dump(data), base, request["user"].email, summary, before, values)
    if saved.refused:
        return await _language_form(request, pack, topic, lang, values, base, minor_edit_messages(request, saved, kept), status=400)
    stale = is_still_stale(data, lang, topic.source_language)
    return redirect(after_save(f"/topics/{topic.id}/{lang}", saved, stale, kept, asks_for_review(request, before, values)))


@routes.post("/topics/{topic}/reviewed/today")
@requires("edit_content")
async def topic_reviewed_today(request: web.Request) -> web.StreamResponse:
    """The topic overview's review date set to today (the prompt after a changed number), back to the page it came from."""
    pack = await _pack(request)
    topic = requested_topic(pack, request)
    form = await request.post()
    back = str(form.get("next", ""))
    back = back if back.startswith(f"/topics/{topic.id}") and "//" not in back else f"/topics/{topic.id}"
    saved = await set_reviewed_today(request, topic_file(topic.id), None, "review date set to today")
    if saved.refused:
        return error_page(request, 400, " ".join(problem_messages(request, saved)))
    return redirect(f"{back}?saved=1")


@routes.get("/translations")
@requires("read")
async def translations_page(request: web.Request) -> web.StreamResponse:
    """Every topic's and entry's source and translation side by side, filtered by language and status.

    A translator's language is preselected and their languages come first;
    the others stay readable (their pages are read-only for them).
    """
    pack = await _pack(request)
    user = request["user"]
    own = own_languages(user, pack)
    default = own[0] if own else next((lang for lang in sorted(user.languages) if lang in pack.languages), None)
    default = default or next(lang for lang in pack.languages if lang != pack.default_language)
    lang = request.query.get("lang", default)
    if lang not in pack.languages:
        raise web.HTTPNotFound()
    status = request.query.get("status", "all")
    status = status if status in STATUSES else "all"
    rows = []
    for topic in sorted(pack.topics.values(), key=lambda t: t.id):
        for answer in topic.all_answers():  # the overview, then its entries
            rows.append(
                {
                    "answer": answer,
                    "name": title_for(answer, request["ui_lang"]) or answer.id,
                    "topic": topic,
                    "entry": answer if answer is not topic else None,
                    "source": answer.translations.get(answer.source_language),
                    "target": answer.translations.get(lang),
                    "status": translation_status(answer, lang),
                }
            )
    counts = {s: sum(1 for r in rows if r["status"] == s) for s in STATUSES}
    context = {
        "rows": [r for r in rows if status == "all" or r["status"] == status],
        "lang": lang,
        "status": status,
        "own": own,
        "others": [code for code in pack.languages if code not in own],
        "names": {code: language.name for code, language in pack.languages.items()},
        "counts": counts,
        "total": len(rows),
    }
    return render(request, "translations.html", context)


# --- offices (editors) --------------------------------------------------------

OFFICE_FIELDS = ("short", "website", "phone", "email", "address")


def _office_values(raw: Any, languages: list[str]) -> dict[str, Any]:
    names = raw.get("name") or {}
    values = {field: str(raw.get(field) or "") for field in OFFICE_FIELDS}
    values["name"] = {lang: str(names.get(lang) or "") for lang in languages}
    values["sources"] = [str(s) for s in raw.get("sources") or []]
    values["reviewed"] = str(raw.get("reviewed") or "")
    return values


@routes.get("/offices")
@requires("read")
async def office_list(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    branches: dict[str, int] = {}
    for branch in pack.directory.branches:
        branches[branch.office] = branches.get(branch.office, 0) + 1
    return render(request, "offices.html", {"offices": sorted(pack.offices.values(), key=lambda o: o.id), "branches": branches})


def _office_form(
    request: web.Request, pack: Pack, office_id: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    context = {
        "office_id": office_id,
        "values": values,
        "base": base,
        "errors": errors,
        "languages": list(pack.languages),
        "branches": _branches_of(pack, office_id),
    }
    return render(request, "office.html", context, status=status)


@routes.get("/offices/{office}")
@requires("read")
async def office_page(request: web.Request) -> web.StreamResponse:
    pack = await _pack(request)
    office_id = request.match_info["office"]
    if office_id not in pack.offices:
        raise web.HTTPNotFound()
    text = request.app[DRAFT].read("offices.yml")
    raw = yamledit.load(text)["offices"][office_id]
    return _office_form(request, pack, office_id, _office_values(raw, list(pack.languages)), text_hash(text), [])


def _branches_of(pack: Pack, office_id: str) -> list[Any]:
    return [b for b in pack.directory.branches if b.office == office_id]


@routes.post("/offices/{office}")
@requires("edit_content")
async def office_save(request: web.Request) -> web.StreamResponse:
    draft: Draft = request.app[DRAFT]
    pack = await _pack(request)
    office_id = request.match_info["office"]
    if office_id not in pack.offices:
        raise web.HTTPNotFound()
    form = await request.post()
    data = yamledit.load(draft.read("offices.yml"))
    raw = data["offices"][office_id]
    languages = list(pack.languages)
    before = _office_values(raw, languages)
    values = {field: str(form.get(field, "")).strip() for field in OFFICE_FIELDS}
    values["name"] = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in languages}
    values["sources"] = yamledit.lines(str(form.get("sources", "")))
    values["reviewed"] = str(form.get("reviewed", "")).strip()
    invalid = contacts.problems(values, request["_"])
    if invalid:
        return _office_form(request, pack, office_id, values, str(form.get("base", "")), invalid, status=400)
    office_edits.write_office(raw, values, OFFICE_FIELDS)
    saved = await draft.save(
        "offices.yml", yamledit.dump(data), str(form.get("base", "")), request["user"].email, f"office {office_id}", before, values
    )
    if saved.refused:
        return _office_form(request, pack, office_id, values, str(form.get("base", "")), problem_messages(request, saved), status=400)
    return redirect(f"/offices/{office_id}?saved=1")


# --- versions -----------------------------------------------------------------


@routes.get("/versions")
@requires("read")
async def version_list(request: web.Request) -> web.StreamResponse:
    return render(request, "versions.html", {"versions": await versions(request.app[ENGINE])})


@routes.get("/versions/{version_id:\\d+}")
@requires("read")
async def version_page(request: web.Request) -> web.StreamResponse:
    row = await version(request.app[ENGINE], int(request.match_info["version_id"]))
    if row is None:
        raise web.HTTPNotFound()
    return await _version_page(request, row, [])


async def _version_page(request: web.Request, row: Any, errors: list[str], status: int = 200) -> web.Response:
    diff = difflib.unified_diff((row["before"] or "").splitlines(), row["after"].splitlines(), "before", "after", lineterm="", n=2)
    later = await later_versions(request.app[ENGINE], row["path"], row["id"])
    context = {"row": row, "diff": list(diff), "later": later, "errors": errors}
    return render(request, "version.html", context, status=status)


@routes.post("/versions/{version_id:\\d+}/restore")
@requires("edit_content")
async def version_restore(request: web.Request) -> web.StreamResponse:
    """Puts a file back as it was before a saved change (undoing its later changes too), once ticked, as a validated save."""
    _ = request["_"]
    row = await version(request.app[ENGINE], int(request.match_info["version_id"]))
    draft: Draft = request.app[DRAFT]
    if row is None:
        raise web.HTTPNotFound()
    # a version names a pack file as the pack sees it (topics/banking.yml), other files from the draft's root
    relative = row["path"] if (draft.root / row["path"]).is_file() else draft.pack_file(row["path"])
    if not (draft.root / relative).is_file():
        raise web.HTTPNotFound()
    form = await request.post()
    if row["before"] is None:
        return await _version_page(request, row, [_("This change created the file, so there is nothing to go back to.")], status=400)
    if form.get("confirm") != "on":
        return await _version_page(request, row, [_("Tick the box to confirm that the file goes back as it was.")], status=400)
    current = draft.read_file(relative)
    summary, after = f"restored as before version {row['id']}", {"restored": row["id"]}
    saved = await draft.save_file(relative, row["before"], text_hash(current), request["user"].email, summary, None, after, row["path"])
    if saved.refused:
        return await _version_page(request, row, problem_messages(request, saved), status=400)
    return redirect("/versions?restored=" + str(row["id"]))


# --- branches of an office: contacts and opening hours (editors) ---------------

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BRANCH_FIELDS = ("city", "address", "phone", "email", "website", "booking")


def _branch_file(office_id: str) -> str:
    return f"branches/{office_id}.yml"


def _find_branch(data: Any, branch_id: str) -> Any:
    for raw in data.get("branches") or []:
        if str(raw.get("id")) == branch_id:
            return raw
    raise web.HTTPNotFound()


def _branch_values(raw: Any, languages: list[str]) -> dict[str, Any]:
    names = raw.get("name") or {}
    hours = raw.get("hours") or {}
    values = {field: str(raw.get(field) or "") for field in BRANCH_FIELDS}
    values["name"] = {lang: str(names.get(lang) or "") for lang in languages}
    values["hours"] = {day: ", ".join(str(i) for i in hours.get(day) or []) for day in WEEKDAYS}
    values["sources"] = [str(s) for s in raw.get("sources") or []]
    values["reviewed"] = str(raw.get("reviewed") or "")
    return values


def _branch_form(
    request: web.Request, office_id: str, values: dict[str, Any], base: str, errors: list[str], status: int = 200
) -> web.Response:
    context = {
        "office_id": office_id,
        "branch_id": request.match_info["branch"],
        "values": values,
        "base": base,
        "errors": errors,
        "languages": request.app[LANGUAGES],
        "weekdays": WEEKDAYS,
    }
    return render(request, "branch.html", context, status=status)


def _branch_text(request: web.Request) -> tuple[str, str]:
    office_id = request.match_info["office"]
    draft: Draft = request.app[DRAFT]
    relative = _branch_file(office_id)
    if not re.fullmatch(r"[a-z0-9_]+", office_id) or not (draft.pack_dir / relative).is_file():
        raise web.HTTPNotFound()
    return relative, draft.read(relative)


@routes.get("/offices/{office}/branches/{branch}")
@requires("read")
async def branch_page(request: web.Request) -> web.StreamResponse:
    _, text = _branch_text(request)
    raw = _find_branch(yamledit.load(text), request.match_info["branch"])
    values = _branch_values(raw, request.app[LANGUAGES])
    return _branch_form(request, request.match_info["office"], values, text_hash(text), [])


@routes.post("/offices/{office}/branches/{branch}")
@requires("edit_content")
async def branch_save(request: web.Request) -> web.StreamResponse:
    relative, text = _branch_text(request)
    office_id, branch_id = request.match_info["office"], request.match_info["branch"]
    data = yamledit.load(text)
    raw = _find_branch(data, branch_id)
    languages = request.app[LANGUAGES]
    before = _branch_values(raw, languages)
    form = await request.post()
    values: dict[str, Any] = {field: str(form.get(field, "")).strip() for field in BRANCH_FIELDS}
    values["name"] = {lang: str(form.get(f"name_{lang}", "")).strip() for lang in languages}
    values["hours"] = {day: str(form.get(f"hours_{day}", "")).strip() for day in WEEKDAYS}
    values["sources"] = yamledit.lines(str(form.get("sources", "")))
    values["reviewed"] = str(form.get("reviewed", "")).strip()
    invalid = contacts.problems(values, request["_"])
    if invalid:
        return _branch_form(request, office_id, values, str(form.get("base", "")), invalid, status=400)
    office_edits.write_branch(raw, values, BRANCH_FIELDS)
    draft: Draft = request.app[DRAFT]
    base = str(form.get("base", ""))
    saved = await draft.save(relative, yamledit.dump(data), base, request["user"].email, f"branch {branch_id}", before, values)
    if saved.refused:
        return _branch_form(request, office_id, values, base, problem_messages(request, saved), status=400)
    return redirect(f"/offices/{office_id}/branches/{branch_id}?saved=1")
