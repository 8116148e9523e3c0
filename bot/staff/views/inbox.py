"""The inbox of unanswered questions, and turning one into a way of asking in one step.

A way of asking becomes training data, published to every user: a question
that still holds personal data, or a placeholder the masking left for it
("[phone]"), is refused until the staff member rewords it.
"""

from __future__ import annotations

from aiohttp import web

from bot.staff import conversations, inbox, yamledit
from bot.staff.draft import Draft, text_hash
from bot.staff.templating import render
from bot.staff.views.content import _problem_messages
from bot.staff.web import DRAFT, ENGINE, LANGUAGES, error_page, redirect, requires

routes = web.RouteTableDef()


@routes.get("/inbox")
@requires("read")
async def inbox_page(request: web.Request) -> web.StreamResponse:
    questions, note = await inbox.unanswered(conversations.events_store(request.app), request.app[ENGINE])
    pack = await request.app[DRAFT].pack()
    context = {
        "groups": inbox.group(questions),
        "note": note,
        "topics": sorted(pack.topics),
        "targets": [(topic_id, sorted(pack.topics[topic_id].entries)) for topic_id in sorted(pack.topics)],
        "languages": request.app[LANGUAGES],
        "errors": [],
        "total": len(questions),
    }
    return render(request, "inbox.html", context)


@routes.post("/inbox/example")
@requires("read")
async def add_example(request: web.Request) -> web.StreamResponse:
    """Adds a question as a way of asking a topic's overview or one of its entries, in the draft (validated like any save).

    ``topic`` is the target's id: ``residence_permit`` (the overview) or ``residence_permit.fee`` (an entry).
    """
    _ = request["_"]
    form = await request.post()
    target, lang, example = str(form.get("topic", "")), str(form.get("lang", "")), " ".join(str(form.get("example", "")).split())
    draft: Draft = request.app[DRAFT]
    pack = await draft.pack()
    found = pack.topic_and_entry(target)
    if found is None or lang not in pack.languages or not example or len(example) > 300:
        return error_page(request, 400, _("Choose a topic or entry and a language, and keep the question (at most 300 characters)."))
    if not request["can"]("edit_language", lang):
        return error_page(request, 403, _("Your role does not allow editing the language %(lang)s.") % {"lang": lang})
    tags = inbox.personal_data_tags(example)
    if tags:
        message = _(
            "This question contains personal data or a placeholder for it (%(tags)s). Reword it without them in the box, then add it:"
            " ways of asking become training data."
        )
        return error_page(request, 400, message % {"tags": ", ".join(tags)})
    topic, entry = found
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
    problems = await draft.save(relative, yamledit.dump(data), text_hash(text), request["user"].email, summary, None, after, scope=scope)
    if problems:
        return error_page(request, 400, " ".join(_problem_messages(request, problems)))
    if entry:
        return redirect(f"/entries/{topic}/{entry.key}/{lang}?saved=1")
    return redirect(f"/topics/{topic}/{lang}?saved=1")
