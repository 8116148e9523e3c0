"""Jinja2 templates with autoescaping and the gettext catalogs, one environment per UI language."""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from aiohttp import web

from bot.staff.i18n import translations

TEMPLATES = Path(__file__).parent / "templates"


def _timestamp(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _day_filter(lang: str):
    """A date as people write it in ``lang``: 05.12.2026 in Latvian, 5 Dec 2026 otherwise (text that is no date stays)."""

    def day(value: Any) -> str:
        try:
            when = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return when.strftime("%d.%m.%Y") if lang == "lv" else f"{when.day} {when.strftime('%b %Y')}"

    return day


@cache
def environment(lang: str) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # every template is HTML
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["timestamp"] = _timestamp
    env.filters["day"] = _day_filter(lang)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    return env


def render(request: web.Request, name: str, context: dict[str, Any] | None = None, status: int = 200) -> web.Response:
    """Renders ``name`` for this request (its language, user and CSRF token)."""
    lang = request["ui_lang"]
    values = {
        "request": request,
        "user": request.get("user"),
        "csrf_token": request.get("csrf_token", ""),
        "ui_lang": lang,
        "can": request["can"],
        **(context or {}),
    }
    html = environment(lang).get_template(name).render(values)
    return web.Response(text=html, content_type="text/html", status=status)
