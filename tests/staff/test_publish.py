"""Publishing without servers: the gate, the atomic content copy, the job rows and lock, and failures that change nothing.

The whole pipeline against real servers is tests/staff/test_publish_e2e.py.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.staff.audit import recent
from bot.staff.config import load_config
from bot.staff.db import open_database
from bot.staff.publish import gate, publish_status, rollback, start_publish, wait_for
from bot.staff.publish_content import ContentTree, changed_files, content_files, install, snapshot
from bot.staff.publish_jobs import PublishBusy, create_job, finish_job, set_step
from bot.staff.publish_settings import load_publish_settings
from tests.postgres import free_port

PACK = "latvia"
FEE = "Klātienē valsts nodeva ir 4,27 EUR"


def _new_fee(text: str) -> str:
    """A topic file with the address-declaration fee changed in every language (numbers agree across languages)."""
    return text.replace("4,27 EUR", "5,10 EUR").replace("EUR 4.27", "EUR 5.10")  # answers only; ways of asking stay


def _data_copy(target: Path) -> Path:
    shutil.copytree(PROJECT_ROOT / "data" / "packs" / PACK, target / "packs" / PACK)
    shutil.copy(PROJECT_ROOT / "data" / "languages.yml", target / "languages.yml")
    return target


def _tree(target: Path) -> ContentTree:
    """A data folder with its catalogs in ``locales/`` (the draft's and the snapshots' layout)."""
    _data_copy(target)
    shutil.copytree(PROJECT_ROOT / "locales", target / "locales")
    return ContentTree.within(target, PACK)


def test_gate_allows_the_margin_and_refuses_a_drop_overall_or_in_one_language():
    live = {"accuracy": 0.80, "accuracy_by_lang": {"en": 0.80, "lv": 0.80}}
    assert gate({"accuracy": 0.79, "accuracy_by_lang": {"en": 0.79, "lv": 0.79}}, live, 0.02) == []
    assert gate({"accuracy": 0.85, "accuracy_by_lang": {"en": 0.90, "lv": 0.80}}, live, 0.02) == []
    overall = gate({"accuracy": 0.70, "accuracy_by_lang": {"en": 0.79, "lv": 0.79}}, live, 0.02)
    assert overall == ["accuracy 70.0% against 80.0% live"]
    one_language = gate({"accuracy": 0.80, "accuracy_by_lang": {"en": 0.90, "lv": 0.70}}, live, 0.02)
    assert one_language == ["lv 70.0% against 80.0% live"]
    assert gate({"accuracy": 0.80, "accuracy_by_lang": {"en": 0.80}}, live, 0.02) == ["lv 0.0% against 80.0% live"]


def test_install_copies_changed_files_removes_gone_ones_and_a_snapshot_restores(tmp_path):
    published, draft = _tree(tmp_path / "published"), _tree(tmp_path / "draft")
    topic = draft.data_dir / "packs" / PACK / "topics" / "address_registration.yml"
    topic.write_text(_new_fee(topic.read_text(encoding="utf-8")), encoding="utf-8")
    (draft.data_dir / "packs" / PACK / "topics" / "study.yml").unlink()
    catalog = draft.locales_dir / "lv" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + '\nmsgid "A new string"\nmsgstr "Jauna virkne"\n', encoding="utf-8")
    changed = ["locales/lv/LC_MESSAGES/messages.po", f"packs/{PACK}/topics/address_registration.yml", f"packs/{PACK}/topics/study.yml"]
    assert changed_files(draft, published) == changed

    before = snapshot(published, tmp_path / "snap")
    assert install(draft, published) == changed
    assert "5,10 EUR" in (published.data_dir / "packs" / PACK / "topics" / "address_registration.yml").read_text(encoding="utf-8")
    assert not (published.data_dir / "packs" / PACK / "topics" / "study.yml").exists()
    assert "Jauna virkne" in (published.locales_dir / "lv" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert changed_files(draft, published) == []
    assert not [p for p in tmp_path.rglob(".*publishing")]  # no temporary files left

    install(before, published)
    original = _tree(tmp_path / "original")
    assert changed_files(original, published) == []
    assert set(content_files(published)) == set(content_files(original))


def test_catalogs_kept_apart_from_the_data_folder_are_published_into_their_own_folder(tmp_path):
    """The assistant's catalogs live in locales/ of the project, not in the data folder."""
    draft = _tree(tmp_path / "draft")
    published = ContentTree(_data_copy(tmp_path / "data"), Path(shutil.copytree(PROJECT_ROOT / "locales", tmp_path / "catalogs")), PACK)
    catalog = draft.locales_dir / "uk" / "LC_MESSAGES" / "messages.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + '\nmsgid "A new string"\nmsgstr "Новий рядок"\n', encoding="utf-8")
    assert install(draft, published) == ["locales/uk/LC_MESSAGES/messages.po"]
    assert "Новий рядок" in (tmp_path / "catalogs" / "uk" / "LC_MESSAGES" / "messages.po").read_text(encoding="utf-8")
    assert not (tmp_path / "data" / "locales").exists()


def test_a_snapshot_without_catalogs_leaves_the_published_catalogs_alone(tmp_path):
    published = _tree(tmp_path / "published")
    old_snapshot = ContentTree.within(_data_copy(tmp_path / "old-snapshot"), PACK)  # taken before catalogs were published
    assert changed_files(old_snapshot, published) == []
    assert install(old_snapshot, published) == []
    assert (published.locales_dir / "lv" / "LC_MESSAGES" / "messages.po").exists()


@pytest.fixture
async def engine(tmp_path):
    engine = await open_database(f"sqlite:///{tmp_path / 'staff.db'}")
    yield engine
    await engine.dispose()


async def test_one_job_at_a_time_and_the_lock_is_released_at_the_end(engine):
    first = await create_job(engine, "publish", "editor@example.lv", ["validate", "go_live"])
    with pytest.raises(PublishBusy, match=f"job {first} is running"):
        await create_job(engine, "rollback", "other@example.lv", ["check"])
    await set_step(engine, first, "validate", state="done", detail="ok", log="x" * 30_000)
    await finish_job(engine, first, "failed", "stopped", "editor@example.lv", "publish")
    job = await publish_status(engine, first)
    assert job["state"] == "failed" and [s["name"] for s in job["steps"]] == ["validate", "go_live"]
    assert len(job["steps"][0]["log"]) == 20_000  # the tail is kept
    second = await create_job(engine, "publish", "editor@example.lv", ["validate"])
    assert second == first + 1
    actions = [row["action"] for row in await recent(engine)]
    assert actions[:3] == ["publish.start", "publish.finish", "publish.start"]


async def test_a_stale_lock_of_a_crashed_job_is_taken_over(engine):
    from sqlalchemy import update

    from bot.staff.db import publish_lock

    await create_job(engine, "publish", "a@example.lv", ["validate"])
    async with engine.begin() as conn:
        await conn.execute(update(publish_lock).values(heartbeat=0))
    assert await create_job(engine, "publish", "b@example.lv", ["validate"])


@pytest.fixture
def setup(tmp_path, monkeypatch):
    """A published folder, a draft, and publish settings pointing at ports where nothing listens."""
    published, draft = _data_copy(tmp_path / "published"), _data_copy(tmp_path / "draft")
    shutil.copytree(PROJECT_ROOT / "locales", draft / "locales")
    monkeypatch.setenv("MIGRANT_BOT_STAFF_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("MIGRANT_BOT_DATA_DIR", str(published))
    monkeypatch.setenv("MIGRANT_BOT_STAFF_DRAFT_DIR", str(draft))
    monkeypatch.setenv("MIGRANT_BOT_LOCALES_DIR", str(shutil.copytree(PROJECT_ROOT / "locales", tmp_path / "catalogs")))
    for name in ("MIGRANT_BOT_RASA_BLUE_PORT", "MIGRANT_BOT_RASA_GREEN_PORT", "MIGRANT_BOT_PROXY_CONTROL_PORT"):
        monkeypatch.setenv(name, str(free_port()))
    return load_config(), load_publish_settings(), published, draft


async def _publish(engine, setup) -> dict:
    config, settings, *_ = setup
    job_id = await start_publish(engine, "editor@example.lv", config, settings)
    return await asyncio.wait_for(wait_for(engine, job_id), 60)


async def test_a_draft_with_errors_stops_at_validate_and_nothing_is_published(engine, setup):
    _config, _settings, published, draft = setup
    topic = draft / "packs" / PACK / "topics" / "banking.yml"
    topic.write_text(topic.read_text(encoding="utf-8").replace("title: Opening a bank account", "title: ''"), encoding="utf-8")
    before = {p: f.read_bytes() for p, f in content_files(ContentTree.within(published, PACK)).items()}
    job = await _publish(engine, setup)
    assert job["state"] == "failed" and "the draft has errors" in job["message"]
    assert [s["state"] for s in job["steps"]][:2] == ["failed", "pending"]
    assert {p: f.read_bytes() for p, f in content_files(ContentTree.within(published, PACK)).items()} == before


async def test_nothing_to_publish_is_refused(engine, setup):
    job = await _publish(engine, setup)
    assert job["state"] == "refused" and "nothing to publish" in job["message"]


async def test_an_answer_only_change_is_published_and_rolled_back_while_the_servers_are_down(engine, setup):
    """The action server reads the files: a fee can go live (and back) whatever Rasa is doing."""
    config, settings, published, draft = setup
    topic = "packs/latvia/topics/address_registration.yml"
    (draft / topic).write_text(_new_fee((draft / topic).read_text(encoding="utf-8")), encoding="utf-8")
    job = await _publish(engine, setup)
    assert job["state"] == "succeeded" and job["mode"] == "answers", job["message"]
    assert "the assistant is not running" in job["steps"][1]["detail"]
    assert [s["state"] for s in job["steps"]] == ["done", "done", *["skipped"] * 5, "done"]
    assert "5,10 EUR" in (published / topic).read_text(encoding="utf-8")

    undone = await rollback(engine, "publisher@example.lv", config, settings)
    assert undone["state"] == "succeeded", undone["message"]
    assert FEE in (published / topic).read_text(encoding="utf-8")


async def test_a_new_way_of_asking_while_the_servers_are_down_fails_before_training_and_changes_nothing(engine, setup):
    _config, _settings, published, draft = setup
    topic = draft / "packs" / PACK / "topics" / "address_registration.yml"
    text = topic.read_text(encoding="utf-8")
    added = "      - deklaresanas nodeva\n      - kur pierakstīt jauno adresi\n"
    topic.write_text(text.replace("      - deklaresanas nodeva\n", added), encoding="utf-8")
    before = {p: f.read_bytes() for p, f in content_files(ContentTree.within(published, PACK)).items()}
    job = await _publish(engine, setup)
    assert job["state"] == "failed" and "servers do not answer" in job["message"], job["message"]
    assert [s["state"] for s in job["steps"]][:3] == ["done", "failed", "pending"]  # nothing trained
    assert {p: f.read_bytes() for p, f in content_files(ContentTree.within(published, PACK)).items()} == before


async def test_a_draft_saved_during_a_publish_is_not_part_of_it(engine, setup):
    """The publish works on a copy of the draft taken when it starts."""
    _config, _settings, published, draft = setup
    topic = "packs/latvia/topics/address_registration.yml"
    (draft / topic).write_text(_new_fee((draft / topic).read_text(encoding="utf-8")), encoding="utf-8")
    config, settings, *_ = setup
    job_id = await start_publish(engine, "editor@example.lv", config, settings)
    await asyncio.sleep(0)  # the job has started; the copy is taken in its first step
    while (await publish_status(engine, job_id))["steps"][0]["state"] in ("pending", "running"):
        await asyncio.sleep(0.05)
    (draft / topic).write_text((draft / topic).read_text(encoding="utf-8").replace("5,10", "6,66"), encoding="utf-8")
    job = await asyncio.wait_for(wait_for(engine, job_id), 60)
    assert job["state"] == "succeeded", job["message"]
    text = (published / topic).read_text(encoding="utf-8")
    assert "5,10 EUR" in text and "6,66" not in text


async def test_rollback_without_a_publish_fails_clearly(engine, setup):
    config, settings, *_ = setup
    job = await rollback(engine, "publisher@example.lv", config, replace(settings))
    assert job["state"] == "failed" and job["message"] == "there is no publish to roll back"
