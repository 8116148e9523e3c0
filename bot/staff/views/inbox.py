"""The inbox: unanswered questions and confident answers to check, turned into ways of asking deliberately.

A way of asking becomes training data, published to every user, so adding one
takes two presses: the staff member chooses the topic or entry and the
language themselves (the assistant's best guesses are offered first, nothing
is chosen for them), then confirms on a page that says in words what will be
learned. A question that still holds personal data, or a placeholder the
masking left for it ("[phone]"), is refused until it is reworded. A handled
question (added, or dismissed) leaves the list with the similar ones asked
before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from aiohttp import web

from bot.core.content.model import Pack
from bot.core.dialogue import Label
from bot.staff import conversations, inbox, yamledit
from bot.staff.draft import Draft, text_hash
from bot.staff.templating import render
from bot.staff.views.content import problem_messages, title_for
from bot.staff.views.names import language_names
from bot.staff.web import DRAFT, ENGINE, LANGUAGES, error_page, redirect, requires

routes = web.RouteTableDef()

SHOWN = 100  # groups on one page: narrow the rest down with the filter
MAX_SEARCH = 100


@dataclass(frozen=True)
class Target:
    """Something a question can be added to: a topic's overview or an entry, by name."""

    id: str
    name: str  # the entry's title, or "<topic title>: overview"
    topic_name: str
    overview: bool = False

    @property
    def full_name(self) -> str:
        """The name with its topic's, for a list that mixes topics."""
        return self.name if self.overview else f"{self.name} ({self.topic_name})"


def _targets(request: web.Request, pack: Pack) -> dict[str, Target]:
    """Every topic overview and entry by id, named in the staff member's interface language."""
    _ = request["_"]
    lang = request["ui_lang"]
    found: dict[str, Target] = {}
    for topic_id in sorted(pack.topics, key=lambda t: title_for(pack.topics[t], lang).lower()):
        topic = pack.topics[topic_id]
        topic_name = title_for(topic, lang) or topic_id
        found[topic_id] = Target(topic_id, _("%(topic)s: overview") % {"topic": topic_name}, topic_name, overview=True)
        for entry in sorted(topic.entries.values(), key=lambda e: title_for(e, lang).lower()):
            found[entry.id] = Target(entry.id, title_for(entry, lang) or entry.id, topic_name)
    return found


def reason_names(request: web.Request) -> dict[str, str]:
    """Why a question is in the inbox, in plain words."""
    _ = request["_"]
    return {
        Label.NLU_FALLBACK.value: _("not understood"),
        Label.OUT_OF_SCOPE.value: _("not covered"),
        inbox.UNHELPFUL: _("marked “did not help”"),
        inbox.CHOSE: _("the user chose another answer"),
        inbox.CHECK: _("answered: please check"),
    }


def _filters(request: web.Request) -> dict[str, str]:
    query = request.query
    return {
        "q": " ".join(query.get("q", "").split())[:MAX_SEARCH],
        "lang": query.get("lang", "")[: inbox.MAX_LANG],
        "why": query.get("why", "")[:40],
        "handled": "1" if query.get("handled") == "1" else "",
    }


def _wanted(group: inbox.Group, filters: dict[str, str]) -> bool:
    if filters["lang"] and group.lang != filters["lang"]:
        return False
    if filters["why"] and filters["why"] not in group.reasons:
        return False
    return inbox.matches(group, filters["q"])


@routes.get("/inbox")
@requires("read")
async def inbox_page(request: web.Request) -> web.StreamResponse:
    pack = await request.app[DRAFT].pack()
    staff = request.app[ENGINE]
    questions, note = await inbox.unanswered(conversations.events_store(request.app), staff, topics=set(pack.topics))
    open_, closed = inbox.split_handled(questions, await inbox.handled(staff))
    filters = _filters(request)
    groups = [g for g in inbox.group(closed if filters["handled"] else open_) if _wanted(g, filters)]
    targets = _targets(request, pack)
    languages = request.app[LANGUAGES]
    added = targets.get(request.query.get("added", ""))
    context = {
        "groups": groups[:SHOWN],
        "more": max(0, len(groups) - SHOWN),
        "matching": len(groups),
        "note": note,
        "targets": targets,
        "by_topic": _by_topic(targets),
        "languages": languages,
        "language_names": language_names(request, [*languages, *{g.lang for g in groups}]),
        "reasons": reason_names(request),
        "filters": filters,
        "open_count": len(open_),
        "handled_count": len(closed),
        "added": added,
        "added_lang": request.query.get("in", "") if request.query.get("in", "") in languages else "",
        "dismissed": request.query.get("dismissed") == "1",
        "handled_link": "/inbox?" + urlencode({**{k: v for k, v in filters.items() if v}, "handled": "" if filters["handled"] else "1"}),
    }
    return render(request, "inbox.html", context)


def _by_topic(targets: dict[str, Target]) -> list[tuple[str, list[Target]]]:
    """Targets grouped under their topic's name, overview first (the order of ``targets``)."""
    grouped: dict[str, list[Target]] = {}
    for target in targets.values():
        grouped.setdefault(target.topic_name, []).append(target)
    return list(grouped.items())


def _edit_target(request: web.Request, pack: Pack, target: str, lang: str, example: str) -> web.Response | None:
    """An error page when the question cannot be added to ``target`` in ``lang`` by this user, else None."""
    _ = request["_"]
    if pack.topic_and_entry(target) is None or lang not in pack.languages:
        return error_page(request, 400, _("Choose a topic or entry and the question's language, then add it."))
    if not example or len(example) > 300:
        return error_page(request, 400, _("Keep the question, at most 300 characters."))
    if not request["can"]("edit_language", lang):
        names = language_names(request, [lang])
        return error_page(request, 403, _("Your role does not allow editing the language %(lang)s.") % {"lang": names[lang]})
    tags = inbox.personal_data_tags(example)
    if tags:
        message = _(
            "This question contains personal data or a placeholder for it (%(tags)s). Reword it without them in the box, then add it:"
            " ways of asking become training data."
        )
        return error_page(request, 400, message % {"tags": ", ".join(tags)})
    return None


@routes.post("/inbox/example")
@requires("read")
async def add_example(request: web.Request) -> web.StreamResponse:
    """Adds a question as a way of asking a topic's overview or one of its entries, in the draft, once confirmed.

    ``topic`` is the target's id: ``residence_permit`` (the overview) or ``residence_permit.fee`` (an entry).
    Without ``confirm=1`` the answer is the confirmation page; with it the draft is saved (validated like any
    save) and the inbox question (``group_text``, ``group_lang``) is marked handled.
    """
    _ = request["_"]
    form = await request.post()
    target, lang, example = str(form.get("topic", "")), str(form.get("lang", "")), " ".join(str(form.get("example", "")).split())
    group_text, group_lang = str(form.get("group_text", ""))[: inbox.MAX_TEXT], str(form.get("group_lang", ""))[: inbox.MAX_LANG]
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    refused = _edit_target(request, pack, target, lang, example)
    if refused is not None:
        return refused
    if form.get("confirm") != "1":
        names = language_names(request, [lang, group_lang] if group_lang else [lang])
        context = {
            "example": example,
            "target": _targets(request, pack)[target],
            "lang": lang,
            "language_names": names,
            "group_text": group_text,
            "group_lang": group_lang,
            "language_differs": bool(group_lang) and group_lang != lang and group_lang in pack.languages,
        }
        return render(request, "inbox_confirm.html", context)
    topic, entry = pack.topic_and_entry(target)  # type: ignore[misc]  # checked above
    relative = f"topics/{topic}.yml"
    text = draft.read(relative)
    data = yamledit.load(text)
    mapping = yamledit.answer_mapping(data, entry.key if entry else None)
    current = list(((mapping.get("translations") or {}).get(lang) or {}).get("examples") or [])
    if example.lower() in {str(e).lower() for e in current}:
        return error_page(request, 400, _("This is already a way of asking this topic or entry."))
    yamledit.set_translation(mapping, lang, {"examples": [*current, example]})
    summary = f"{lang} example from the inbox" + (f" for entry {entry.key}" if entry else "")
    # an entry's save is refused only for a new error (its other languages may still be to write)
    scope = () if entry else None
    after = {lang: example, **({"entry": entry.key} if entry else {})}
    saved = await draft.save(relative, yamledit.dump(data), text_hash(text), request["user"].email, summary, None, after, scope=scope)
    if saved.refused:
        return error_page(request, 400, " ".join(problem_messages(request, saved)))
    await inbox.mark_handled(request.app[ENGINE], group_text or example, group_lang or lang, "added")
    return redirect("/inbox?" + urlencode({"added": target, "in": lang}))


@routes.post("/inbox/dismiss")
@requires("read")
async def dismiss(request: web.Request) -> web.StreamResponse:
    """Takes a question (and the similar ones asked before) off the list without adding it: not for the assistant, or answered right."""
    _ = request["_"]
    form = await request.post()
    text, lang = str(form.get("group_text", "")).strip()[: inbox.MAX_TEXT], str(form.get("group_lang", ""))[: inbox.MAX_LANG]
    if not text or not lang:
        return error_page(request, 400, _("Choose a question from the list."))
    if not request["can"]("edit_language", lang):
        names = language_names(request, [lang])
        return error_page(request, 403, _("Your role does not allow editing the language %(lang)s.") % {"lang": names[lang]})
    await inbox.mark_handled(request.app[ENGINE], text, lang, "dismissed")
    return redirect("/inbox?dismissed=1")
