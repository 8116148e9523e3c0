"""Builds the staff web application."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.staff.config import StaffConfig
from bot.staff.db import open_database
from bot.staff.draft import Draft
from bot.staff.views import auth, content, entries, exchange, inbox, preview, publishing, strings, users
from bot.staff.web import CONFIG, DRAFT, ENGINE, LANGUAGES, context_middleware, csrf_middleware

STATIC = Path(__file__).parent / "static"


async def create_app(config: StaffConfig) -> web.Application:
    """The application with its database opened and the draft content ready."""
    app = web.Application(middlewares=[context_middleware, csrf_middleware], client_max_size=2 * 1024 * 1024)
    engine = await open_database(config.database_url)
    draft = Draft(config.draft_dir, config.published_data_dir, config.pack, engine, published_locales=config.published_locales_dir)
    draft.ensure()
    app[CONFIG] = config
    app[ENGINE] = engine
    app[DRAFT] = draft
    app[LANGUAGES] = list((await draft.pack()).languages)
    app[inbox.CONVERSATIONS] = inbox.conversations_engine(config.conversations_url)
    app.add_routes(auth.routes)
    app.add_routes(users.routes)
    app.add_routes(content.routes)
    app.add_routes(entries.routes)
    app.add_routes(strings.routes)
    app.add_routes(preview.routes)
    app.add_routes(exchange.routes)
    app.add_routes(inbox.routes)
    app.add_routes(publishing.routes)
    app.router.add_static("/static", STATIC)

    async def close(_: web.Application) -> None:
        await engine.dispose()
        await app[inbox.CONVERSATIONS].dispose()

    app.on_cleanup.append(close)
    return app
