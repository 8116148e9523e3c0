"""Settings of the switch proxy and of publishing, read from the environment.

The same variables are read by ``scripts/start.sh`` (ports, tokens) so the
proxy, the two Rasa servers and the publish job agree.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.core.settings import PROJECT_ROOT
from bot.switch.proxy import ProxySettings


def _env(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a whole number, not {raw!r}") from error


def _float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        value = float(raw)
    except ValueError as error:
        raise SystemExit(f"{name} must be a number, not {raw!r}") from error
    if not 0 <= value <= 1:
        raise SystemExit(f"{name} must be between 0 and 1, not {raw!r}")
    return value


def var_dir() -> Path:
    return Path(_env("MIGRANT_BOT_STAFF_VAR_DIR", str(PROJECT_ROOT / "var")))


def secret_file(env: str, path: Path) -> str:
    """A token from the environment, or one generated once into ``path`` (mode 600)."""
    if os.environ.get(env):
        return os.environ[env]
    if not path.exists() or not path.read_text(encoding="utf-8").strip():
        path.parent.mkdir(parents=True, exist_ok=True)
        old = os.umask(0o077)
        try:
            path.write_text(secrets.token_urlsafe(32) + "\n", encoding="utf-8")
        finally:
            os.umask(old)
    return path.read_text(encoding="utf-8").strip()


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


def load_publish_settings() -> PublishSettings:
    var = var_dir()
    blue = _int("MIGRANT_BOT_RASA_BLUE_PORT", 5006)
    green = _int("MIGRANT_BOT_RASA_GREEN_PORT", 5007)
    return PublishSettings(
        zero_downtime=_env("MIGRANT_BOT_ZERO_DOWNTIME", "1") not in ("0", "false", "no"),
        sides={"blue": f"http://127.0.0.1:{blue}", "green": f"http://127.0.0.1:{green}"},
        single_url=f"http://127.0.0.1:{_int('MIGRANT_BOT_RASA_PORT', 5005)}",
        control_url=f"http://127.0.0.1:{_int('MIGRANT_BOT_PROXY_CONTROL_PORT', 5009)}",
        proxy_token=secret_file("MIGRANT_BOT_PROXY_TOKEN", var / "proxy-token"),
        api_token=secret_file("MIGRANT_BOT_API_TOKEN", var / "api-token"),
        rasa_python=Path(_env("MIGRANT_BOT_RASA_PYTHON", str(PROJECT_ROOT / ".venv" / "bin" / "python"))),
        train_config=Path(_env("MIGRANT_BOT_STAFF_TRAIN_CONFIG", str(PROJECT_ROOT / "config.yml"))),
        models_dir=Path(_env("MIGRANT_BOT_MODELS_DIR", str(PROJECT_ROOT / "models"))),
        heldout=Path(_env("MIGRANT_BOT_STAFF_HELDOUT", str(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl"))),
        max_accuracy_drop=_float("MIGRANT_BOT_STAFF_MAX_ACCURACY_DROP", 0.02),
        work_dir=var / "staff" / "publish",
        step_timeout_s=_int("MIGRANT_BOT_STAFF_STEP_TIMEOUT_S", 1800),
    )


def proxy_settings_from_env() -> ProxySettings:
    """The proxy's listen addresses, upstreams and token."""
    publish = load_publish_settings()
    return ProxySettings(
        upstreams=publish.sides,
        host=_env("MIGRANT_BOT_PROXY_HOST", "0.0.0.0"),
        port=_int("MIGRANT_BOT_RASA_PORT", 5005),
        control_port=_int("MIGRANT_BOT_PROXY_CONTROL_PORT", 5009),
        token=publish.proxy_token,
        state_file=var_dir() / "proxy-state.json",
        max_body_bytes=_int("MIGRANT_BOT_PROXY_MAX_BODY_BYTES", 2 * 1024 * 1024),
        read_timeout_s=float(_int("MIGRANT_BOT_PROXY_READ_TIMEOUT_S", 300)),
    )
