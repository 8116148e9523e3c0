"""The settings schema (bot/core/settings.py): one place, every variable documented, clear errors, the one refusal."""

from __future__ import annotations

import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core import settings as schema
from bot.core.settings import PREFIX, PROJECT_ROOT, SettingError, Settings, all_settings, api_token, load_settings, refuse_unsafe

ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """No operator's or script's variable changes a default here; secrets go to a temporary var folder."""
    for name in schema.variable_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(PREFIX + "VAR_DIR", str(tmp_path / "var"))


def test_every_setting_has_a_variable_a_type_a_default_and_a_doc():
    names = []
    for section, f, kind in all_settings():
        env = f.metadata["env"]
        assert env.startswith(PREFIX) and env == env.upper(), env
        assert f.metadata["doc"].strip() and "\n" not in f.metadata["doc"], env
        assert (kind is not None and f.default is not None) or "| None" in str(kind), (section, f.name)
        names.append(env)
    assert len(names) == len(set(names)), "a variable is read by two settings"


def test_env_example_lists_every_variable_and_no_other():
    listed = set(re.findall(r"\b(MIGRANT_BOT_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text(encoding="utf-8")))
    known = set(schema.variable_names())
    assert not known - listed, f"add to .env.example: {sorted(known - listed)}"
    assert not listed - known, f"not a setting (bot/core/settings.py): {sorted(listed - known)}"


def test_defaults_suit_a_local_start(tmp_path):
    settings = load_settings()
    assert settings.rasa_port == 5005 and settings.action_server.port == 5055 and settings.staff.port == 5080
    assert settings.pack == "latvia" and settings.data_dir == PROJECT_ROOT / "data"
    assert settings.database_url == f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    assert settings.events_url == f"sqlite:///{tmp_path / 'var' / 'events.db'}"
    # the staff app's folder, database, drafts and preview follow the var folder and the public port
    assert settings.staff.var_dir == tmp_path / "var" and settings.staff.database_url == f"sqlite:///{tmp_path / 'var' / 'staff.db'}"
    assert settings.staff.draft_dir == tmp_path / "var" / "staff" / "draft"
    assert settings.staff.rasa_url == "http://127.0.0.1:5005"
    assert settings.rasa_server.actions_url == "http://127.0.0.1:5055/webhook"
    # built from a data folder alone, as the content tools do
    bare = Settings(data_dir=tmp_path, pack="latvia", database_url="")
    assert bare.pack_dir == tmp_path / "packs" / "latvia" and bare.rate_limit_per_minute == 30


def test_one_rasa_port_default_reaches_every_process(monkeypatch):
    monkeypatch.setenv(PREFIX + "RASA_PORT", "6005")
    settings = load_settings()
    assert settings.rasa_port == 6005 and settings.staff.rasa_url == "http://127.0.0.1:6005"
    assert f"export {PREFIX}RASA_PORT=6005" in schema._shell(settings).splitlines()


def test_the_loader_reads_once_per_environment(monkeypatch):
    first = load_settings()
    assert load_settings() is first
    monkeypatch.setenv(PREFIX + "RATE_LIMIT_PER_MINUTE", "5")
    assert load_settings() is not first and load_settings().rate_limit_per_minute == 5


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("RASA_PORT", "http", "must be a whole number"),
        ("STAFF_PORT", "70000", "port number from 1 to 65535"),
        ("ZERO_DOWNTIME", "maybe", "must be 1 or 0"),
        ("STAFF_MAX_ACCURACY_DROP", "5", "between 0 and 1"),
        ("RETENTION_DAYS", "0", "days"),
        ("STAFF_TIMEZONE", "not a zone!", "time zone name"),
    ],
)
def test_a_bad_value_is_a_clear_error_naming_the_variable(monkeypatch, name, value, expected):
    monkeypatch.setenv(PREFIX + name, value)
    with pytest.raises(SettingError, match=f"{PREFIX}{name}.*{expected}") as error:
        load_settings()
    # a ValueError for callers that catch one, a SystemExit (message, status 1) when nobody does
    assert isinstance(error.value, ValueError) and isinstance(error.value, SystemExit) and error.value.code == str(error.value)


def test_an_uncaught_setting_error_ends_the_program_with_its_message_only(tmp_path):
    env = {"PATH": "/usr/bin:/bin", PREFIX + "VAR_DIR": str(tmp_path), PREFIX + "ACTIONS_PORT": "many"}
    done = subprocess.run([sys.executable, "-m", "bot.core.settings", "check"], env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 1 and done.stderr.strip() == f"{PREFIX}ACTIONS_PORT must be a whole number, not 'many'"


# --- the tracker cache and two Rasa servers


def test_the_tracker_cache_is_off_by_default_and_on_only_with_one_rasa_server(monkeypatch):
    assert load_settings().rasa_servers == 2 and not load_settings().tracker_cache
    refuse_unsafe(load_settings())
    monkeypatch.setenv(PREFIX + "ZERO_DOWNTIME", "0")
    assert load_settings().rasa_servers == 1 and load_settings().tracker_cache
    refuse_unsafe(load_settings())
    monkeypatch.setenv(PREFIX + "TRACKER_CACHE", "0")
    assert not load_settings().tracker_cache
    # a settings object built in code (content tools) is safe too
    assert not Settings(data_dir=Path("data"), pack="latvia", database_url="").tracker_cache


@pytest.mark.parametrize("zero_downtime", [None, "1", "yes"])
def test_two_rasa_servers_with_the_tracker_cache_are_refused(monkeypatch, zero_downtime):
    monkeypatch.setenv(PREFIX + "TRACKER_CACHE", "1")
    if zero_downtime is not None:
        monkeypatch.setenv(PREFIX + "ZERO_DOWNTIME", zero_downtime)
    settings = load_settings()  # reading them is fine: the staff app and the tools do not care
    with pytest.raises(SystemExit, match=f"{PREFIX}TRACKER_CACHE=1.*{PREFIX}ZERO_DOWNTIME=1.*split conversations") as error:
        refuse_unsafe(settings)
    assert f"{PREFIX}ZERO_DOWNTIME=0" in str(error.value)  # the way out is named


@pytest.mark.parametrize(
    ("variable", "value"),
    [("LOCK_STORE_URL", "redis://127.0.0.1:6379/0"), ("REPLICAS", "http://127.0.0.1:5011,http://127.0.0.1:5012")],
)
def test_replicas_sharing_locks_keep_no_conversation_in_memory(monkeypatch, variable, value):
    monkeypatch.setenv(PREFIX + "ZERO_DOWNTIME", "0")
    monkeypatch.setenv(PREFIX + variable, value)
    assert load_settings().rasa_servers >= 2 and not load_settings().tracker_cache
    monkeypatch.setenv(PREFIX + "TRACKER_CACHE", "1")
    with pytest.raises(SystemExit, match=f"{PREFIX}LOCK_STORE_URL or {PREFIX}REPLICAS.*split conversations"):
        refuse_unsafe(load_settings())


def test_the_replicas_are_http_urls(monkeypatch):
    monkeypatch.setenv(PREFIX + "REPLICAS", "http://127.0.0.1:5011/, 127.0.0.1:5012")
    with pytest.raises(SettingError, match=f"{PREFIX}REPLICAS must be an http"):
        load_settings()
    monkeypatch.setenv(PREFIX + "REPLICAS", "http://127.0.0.1:5011/, http://127.0.0.1:5012")
    assert load_settings().switch.replicas == "http://127.0.0.1:5011,http://127.0.0.1:5012"


def test_the_start_commands_check_refuses_two_servers_with_the_cache(tmp_path):
    env = {"PATH": "/usr/bin:/bin", PREFIX + "VAR_DIR": str(tmp_path), PREFIX + "TRACKER_CACHE": "1"}
    command = [sys.executable, "-m", "bot.core.settings", "check"]
    refused = subprocess.run(command, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert refused.returncode == 1 and "would split conversations" in refused.stderr
    allowed = subprocess.run(command, env={**env, PREFIX + "ZERO_DOWNTIME": "0"}, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert allowed.returncode == 0, allowed.stderr


# --- secrets made once


def test_the_api_token_comes_from_the_variable_else_one_file_made_once(monkeypatch, tmp_path):
    path = tmp_path / "var" / "api-token"
    assert api_token() == "" and not path.exists()  # reading never writes
    made = api_token(create=True)
    assert len(made) >= 32 and path.read_text().strip() == made and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert api_token(create=True) == made and api_token() == made and load_settings().api_token == made
    assert [p.name for p in path.parent.iterdir()] == ["api-token"]  # no partial file left behind
    monkeypatch.setenv(PREFIX + "API_TOKEN", "from-the-environment")
    assert api_token(create=True) == "from-the-environment"
    assert "from-the-environment" not in repr(load_settings())


def test_the_staff_folder_moves_the_api_token_file(monkeypatch, tmp_path):
    monkeypatch.setenv(PREFIX + "STAFF_VAR_DIR", str(tmp_path / "staff"))
    (tmp_path / "staff").mkdir()
    (tmp_path / "staff" / "api-token").write_text("kept by the staff app\n")
    assert api_token() == "kept by the staff app"


# --- nobody else reads the environment


#: reads of a setting straight from the environment; the Rasa server's start (the lead's file) passes the token on
_DIRECT_READ = re.compile(r"os\.(environ\.get|environ\[|getenv)\(?\s*(PREFIX|[\"']MIGRANT_BOT_)")


def test_no_module_reads_a_setting_from_the_environment_itself():
    readers = []
    for folder in ("bot", "actions"):
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = path.relative_to(PROJECT_ROOT).as_posix()
            if relative == "bot/core/settings.py":
                continue
            if _DIRECT_READ.search(path.read_text(encoding="utf-8")):
                readers.append(relative)
    assert readers == [], f"read these through bot.core.settings: {readers}"
