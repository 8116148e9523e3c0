"""Settings of the switch proxy and of publishing: the switch and publish sections of ``bot.core.settings``.

Nothing is read from the environment here. ``scripts/start.sh`` takes the same
values (ports, tokens) from the same schema, so the proxy, the two Rasa
servers and the publish job agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.core.settings import Settings, api_token, load_settings, secret_in_file
from bot.switch.proxy import ProxySettings


def var_dir() -> Path:
    """The staff app's var folder (``MIGRANT_BOT_STAFF_VAR_DIR``, else ``MIGRANT_BOT_VAR_DIR``)."""
    folder = load_settings().staff.var_dir
    assert folder is not None  # the loader fills it in
    return folder


def _proxy_token(settings: Settings) -> str:
    """``MIGRANT_BOT_PROXY_TOKEN``, else ``proxy-token`` in the staff app's var folder (made once, mode 600)."""
    return secret_in_file(settings.switch.token, var_dir() / "proxy-token", create=True)


@dataclass(frozen=True)
class PublishSettings:
    """Where the servers are and how a publish trains, evaluates and gates."""

    zero_downtime: bool  # two Rasa servers behind the proxy (MIGRANT_BOT_ZERO_DOWNTIME, default 1)
    sides: dict[str, str]  # side -> Rasa server base URL
    single_url: str  # the one Rasa server when zero_downtime is off
    control_url: str  # the proxy's control API (loopback)
    proxy_token: str
    api_token: str  # Rasa's --auth-token
    rasa_python: Path  # the Rasa environment's python (the staff env never imports Rasa)
    train_config: Path
    models_dir: Path
    heldout: Path
    max_accuracy_drop: float
    work_dir: Path  # build folders, evaluation figures, content snapshots per job
    step_timeout_s: int  # training and evaluation are stopped after this long
    replicas: tuple[str, ...] = ()  # Rasa replicas behind nginx (MIGRANT_BOT_REPLICAS): publishes roll out (bot/staff/replicas.py)
    nginx_prefix: Path | None = None  # nginx's folder: its rotation file and pid (MIGRANT_BOT_NGINX_PREFIX)

    @property
    def can_load_models(self) -> bool:
        """A new model can be loaded with no downtime: blue/green servers, or replicas to roll it out to."""
        return self.zero_downtime or len(self.replicas) >= 2


def load_publish_settings() -> PublishSettings:
    settings = load_settings()
    switch, publish = settings.switch, settings.publish
    return PublishSettings(
        zero_downtime=settings.zero_downtime,
        sides={"blue": f"http://127.0.0.1:{switch.blue_port}", "green": f"http://127.0.0.1:{switch.green_port}"},
        single_url=f"http://127.0.0.1:{settings.rasa_port}",
        control_url=f"http://127.0.0.1:{switch.control_port}",
        proxy_token=_proxy_token(settings),
        api_token=api_token(settings, create=True),
        rasa_python=publish.rasa_python,
        train_config=publish.train_config,
        models_dir=publish.models_dir,
        heldout=publish.heldout,
        max_accuracy_drop=publish.max_accuracy_drop,
        work_dir=var_dir() / "staff" / "publish",
        step_timeout_s=publish.step_timeout_s,
        replicas=tuple(url for url in switch.replicas.split(",") if url),
        nginx_prefix=switch.nginx_prefix,
    )


def proxy_settings_from_env() -> ProxySettings:
    """The proxy's listen addresses, upstreams and token."""
    settings = load_settings()
    publish = load_publish_settings()
    return ProxySettings(
        upstreams=publish.sides,
        host=settings.switch.host,
        port=settings.rasa_port,
        control_port=settings.switch.control_port,
        token=publish.proxy_token,
        state_file=var_dir() / "proxy-state.json",
        max_body_bytes=settings.switch.max_body_bytes,
        read_timeout_s=settings.switch.read_timeout_s,
    )
