"""The preview page: ask the draft a question in any language."""

from __future__ import annotations

from aiohttp import web

from bot.staff import preview as previewing
from bot.staff.templating import render
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
    return render(request, "preview.html", {"result": result, "languages": request.app[LANGUAGES], "lang": lang, "question": ""})


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
    context = {"result": result, "languages": request.app[LANGUAGES], "lang": lang, "question": question, "rasa_url": config.rasa_url}
    return render(request, "preview.html", context)
