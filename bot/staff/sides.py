"""HTTP clients of the switch proxy's control API and of the Rasa servers' API (token-protected).

The staff environment never imports Rasa; it drives the servers over HTTP.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from bot.staff.publish_settings import PublishSettings

MODEL_LOAD_TIMEOUT_S = 600


class SideError(RuntimeError):
    """A server or the proxy did not do what was asked."""


def model_name(model_file: str) -> str:
    """``/x/models/config-abc.tar.gz`` -> ``config-abc`` (Rasa's /status gives a path or a name)."""
    return Path(model_file).name.removesuffix(".tar.gz")


@dataclass
class Sides:
    """The proxy (which side is active) and the Rasa servers behind it."""

    settings: PublishSettings

    async def _call(self, method: str, url: str, timeout: float = 30, **kwargs: Any) -> Any:
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
                async with session.request(method, url, **kwargs) as response:
                    body = await response.text()
                    if response.status >= 300:
                        raise SideError(f"{method} {url.split('?')[0]}: HTTP {response.status} {body[:300]}")
                    return await response.json(content_type=None) if body.strip() else {}
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            raise SideError(f"{method} {url.split('?')[0]}: {error!r}") from error

    async def _control(self, method: str, path: str, body: dict | None = None) -> dict:
        if not self.settings.zero_downtime:
            raise SideError("zero-downtime switching is off (MIGRANT_BOT_ZERO_DOWNTIME=0): there is no second server to load a model into")
        headers = {"Authorization": f"Bearer {self.settings.proxy_token}"}
        return await self._call(method, self.settings.control_url + path, json=body, headers=headers)

    async def active(self) -> str:
        """The side users are on; ``single`` when there is no proxy."""
        if not self.settings.zero_downtime:
            return "single"
        return (await self._control("GET", "/state"))["active"]

    def url(self, side: str) -> str:
        return self.settings.single_url if side == "single" else self.settings.sides[side]

    def idle(self, active: str) -> str:
        others = [s for s in self.settings.sides if s != active]
        if active == "single" or not others:
            raise SideError("there is no idle server (MIGRANT_BOT_ZERO_DOWNTIME=0)")
        return others[0]

    async def switch(self, side: str) -> dict:
        return await self._control("POST", "/switch", {"active": side})

    async def drain(self, side: str) -> dict:
        return await self._control("POST", "/drain", {"side": side})

    async def model(self, side: str) -> str:
        """The name of the model a side has loaded (empty when none)."""
        status = await self._call("GET", f"{self.url(side)}/status", params={"token": self.settings.api_token})
        return model_name(status.get("model_file") or "")

    async def load(self, side: str, model_file: Path) -> None:
        """``PUT /model`` on one side (it answers nobody while it loads), then checks it took."""
        await self._call(
            "PUT",
            f"{self.url(side)}/model",
            timeout=MODEL_LOAD_TIMEOUT_S,
            params={"token": self.settings.api_token},
            json={"model_file": str(model_file)},
        )
        loaded = await self.model(side)
        if loaded != model_name(str(model_file)):
            raise SideError(f"{side} reports model {loaded!r} after loading {model_file.name}")
