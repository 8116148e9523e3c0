"""Publishing onto several Rasa replicas behind nginx: a rolling model update, one replica at a time.

The blue/green publish (bot/staff/sides.py) loads a model into the server users are not on,
scores it there and switches. With N replicas behind nginx (``make run-scaled``,
docs/deployment.md) the same steps run with these sides:

- the *standby* side is the first replica, taken out of nginx's rotation (``drain``): the
  candidate model is loaded into it and scored there, where no user waits;
- ``switch`` rolls that model out: the standby replica goes back into rotation, then every
  other replica in turn leaves the rotation, loads the model, is checked (its ``/status``)
  and comes back. At every moment at least N-1 replicas take requests, and nginx's graceful
  reload lets requests in flight finish; users never wait for a model to load.

A rollback is the same publish with the previous model. The rotation is nginx's
``rasa-servers.conf`` (bot/core/rotation.py).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.core import rotation
from bot.staff.sides import SideError, Sides, model_name

STANDBY = "standby"
ALL = "replicas"
#: after a reload, nginx's old workers finish what they started; new requests reach the new ones within this
RELOAD_SETTLE_S = 0.5


def _address(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}"


@dataclass
class ReplicaSides(Sides):
    """The Rasa replicas behind nginx, driven as a standby replica plus a rolling switch."""

    @property
    def replicas(self) -> list[str]:
        return list(self.settings.replicas)

    @property
    def prefix(self) -> Path:
        assert self.settings.nginx_prefix is not None
        return self.settings.nginx_prefix

    async def _rotate(self, down: frozenset[str]) -> None:
        try:
            await asyncio.to_thread(rotation.set_down, self.prefix, down)
        except rotation.RotationError as error:
            raise SideError(str(error)) from error
        await asyncio.sleep(RELOAD_SETTLE_S)

    async def active(self) -> str:
        return ALL

    def url(self, side: str) -> str:
        if side == STANDBY:
            return self.replicas[0]
        if side == ALL:
            return self.settings.single_url  # nginx: whichever replica it picks
        if side in self.replicas:
            return side
        raise SideError(f"no replica called {side!r}")

    def idle(self, active: str) -> str:
        if len(self.replicas) < 2:
            raise SideError("a rolling publish needs at least two Rasa replicas (MIGRANT_BOT_REPLICAS)")
        return STANDBY

    async def model(self, side: str) -> str:
        """The standby replica's model, or for ``replicas`` the one the others serve (they agree outside a publish)."""
        if side != ALL:
            return await super().model(side)
        return await super().model(self.replicas[-1])

    async def drain(self, side: str) -> dict:
        await self._rotate(frozenset({_address(self.url(side))}))
        return {"sessions": 0}

    async def switch(self, side: str) -> dict:
        """Rolls the standby replica's model out to every other replica, one at a time."""
        wanted = await super().model(self.replicas[0])
        model_file = self.settings.models_dir / f"{wanted}.tar.gz"
        try:
            for replica in self.replicas[1:]:
                await self._rotate(frozenset({_address(replica)}))  # the standby one is back in rotation
                if await super().model(replica) != wanted:
                    await self.load(replica, model_file)
        finally:
            # every replica back in rotation, also after a failed load (the job fails; a rollback
            # or the next publish brings the replicas to one model again)
            await self._rotate(frozenset())
        return {"active": ALL, "model": wanted, "replicas": len(self.replicas)}

    async def models(self) -> dict[str, str]:
        """Every replica's model, by URL (the test and the operator's check after a publish)."""
        return {replica: await super().model(replica) for replica in self.replicas}


def sides_for(settings) -> Sides:
    """Replica sides when the settings list replicas (``MIGRANT_BOT_REPLICAS``), else the blue/green or single server."""
    return ReplicaSides(settings) if settings.replicas else Sides(settings)


__all__ = ["ALL", "STANDBY", "ReplicaSides", "model_name", "sides_for"]
