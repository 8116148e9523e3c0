"""Builds the staff web application."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.staff import background, conversations, retention
from bot.staff.config import StaffConfig
from bot.staff.db import open_database
from bot.staff.draft import Draft
from bot.staff.insights import aggregate
from bot.staff.views import account, auth, content, entries, exchange, inbox, plan, preview, privacy, publishing, strings, users
from bot.staff.views import insights as insights_views
from bot.staff.web import CONFIG, DRAFT, ENGINE, LANGUAGES, context_middleware, csrf_middleware

STATIC = Path(__file__).parent / "static"


async def create_app(config: StaffConfig) -> web.Application:
    """The application with its database opened, the draft content ready and its periodic jobs set to start."""
    app = web.Application(middlewares=[context_middleware, csrf_middleware], client_max_size=2 * 1024 * 1024)
    engine = await open_database(config.database_url)
    draft = Draft(config.draft_dir, config.published_data_dir, config.pack, engine, published_locales=config.published_locales_dir)
    draft.ensure()
    app[CONFIG] = config
    app[ENGINE] = engine
    app[DRAFT] = draft
    app[LANGUAGES] = list((await draft.pack()).languages)
    app[conversations.CONVERSATIONS] = conversations.engine_for(config.conversations_url)
    app[conversations.EVENTS] = conversations.engine_for(config.events_url)
    app.add_routes(auth.routes)
    app.add_routes(users.routes)
    app.add_routes(account.routes)
    app.add_routes(content.routes)
    app.add_routes(entries.routes)
    app.add_routes(strings.routes)
    app.add_routes(preview.routes)
    app.add_routes(plan.routes)
    app.add_routes(exchange.routes)
    app.add_routes(inbox.routes)
    app.add_routes(insights_views.routes)
    app.add_routes(privacy.routes)
    app.add_routes(publishing.routes)
    app.router.add_static("/static", STATIC)
    # cleanup contexts end before on_cleanup runs: the jobs stop before the engines close
    delay = config.housekeeping_delay_s
    app.cleanup_ctx.append(background.periodic("expired imports", exchange.delete_expired_imports, exchange.CLEANUP_EVERY_S, delay))
    app.cleanup_ctx.append(background.periodic("retention", retention.run_in_app, retention.EVERY_S, delay))
    app.cleanup_ctx.append(background.periodic("insights", aggregate.run_in_app, aggregate.EVERY_S, delay))

    async def close(_: web.Application) -> None:
        await engine.dispose()
        await app[conversations.CONVERSATIONS].dispose()
        await app[conversations.EVENTS].dispose()

    app.on_cleanup.append(close)
    app.on_cleanup.append(exchange.close_file_reader)
    return app
