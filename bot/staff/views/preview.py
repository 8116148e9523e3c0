"""The preview page: ask the draft a question in any language."""

from __future__ import annotations

from aiohttp import web

from bot.core.content.model import Pack
from bot.staff import preview as previewing
from bot.staff.templating import render
from bot.staff.views.content import title_for
from bot.staff.views.names import language_names
from bot.staff.web import CONFIG, DRAFT, LANGUAGES, error_page, requires

routes = web.RouteTableDef()
MAX_QUESTION = 1000


@routes.get("/preview")
@requires("read")
async def preview_form(request: web.Request) -> web.StreamResponse:
    """The question form; with ``?answer=<topic or topic.entry>&lang=xx``, that answer as the assistant renders it."""
    answer_id, lang = request.query.get("answer", ""), request.query.get("lang", "")
    result = None
    if answer_id:
        pack = await request.app[DRAFT].pack()
        if lang not in pack.languages or pack.topic_and_entry(answer_id) is None:
            raise web.HTTPNotFound()
        result = previewing.render_answer(pack, previewing.Preview(question="", lang=lang, label=answer_id, how="chosen"), answer_id)
    return render(request, "preview.html", await _context(request, result, lang, ""))


def _label_names(request: web.Request, pack: Pack) -> dict[str, str]:
    """Topic and entry ids named in the interface language (conversation labels keep their ids)."""
    lang = request["ui_lang"]
    names = {}
    for topic in pack.topics.values():
        names[topic.id] = title_for(topic, lang) or topic.id
        for entry in topic.entries.values():
            names[entry.id] = title_for(entry, lang) or entry.id
    return names


async def _context(request: web.Request, result: previewing.Preview | None, lang: str, question: str) -> dict:
    """The page's context: the reply language defaults to the interface language when the content has it."""
    languages = request.app[LANGUAGES]
    if lang not in languages:
        lang = request["ui_lang"] if request["ui_lang"] in languages else languages[0]
    pack = await request.app[DRAFT].pack()
    return {
        "result": result,
        "languages": languages,
        "language_names": language_names(request, languages),
        "label_names": _label_names(request, pack),
        "lang": lang,
        "question": question,
    }


@routes.post("/preview")
@requires("read")
async def preview_answer(request: web.Request) -> web.StreamResponse:
    _ = request["_"]
    form = await request.post()
    question = str(form.get("question", "")).strip()
    lang = str(form.get("lang", ""))
    if lang not in request.app[LANGUAGES]:
        return error_page(request, 400, _("Unknown language."))
    if not question or len(question) > MAX_QUESTION:
        return error_page(request, 400, _("Write a question of at most %(count)d characters.") % {"count": MAX_QUESTION})
    config = request.app[CONFIG]
    pack = await request.app[DRAFT].pack()
    result = await previewing.preview(pack, question, lang, config.rasa_url, config.api_token)
    return render(request, "preview.html", await _context(request, result, lang, question))
