"""Publishing the draft, and rolling back: the staff app's API (the pages and the CLI call it).

    job_id = await start_publish(engine, actor)       # returns at once; the job runs in this process
    job = await wait_for(job_id)                      # or poll: await publish_status(engine, job_id)
    job = await rollback(engine, actor)               # runs to the end (seconds)

A publish (docs/staff-publish.md):

1. ``validate``: the draft is copied as it is now (later saves are not part
   of this publish) and the copy passes the same checks as a save
   (``make content-check``, ``make messages-check``). A publish of some
   files only (one topic) copies the published content with those files of
   the draft over it; the rest of the draft waits for a later publish.
2. ``compare``: the model name the draft needs (``bot.tools.train --name-only``, a
   fingerprint of Rasa's training data and domain) against the live model's
   (the published content's when the servers do not answer). Equal: an
   answer-only change (an answer, a fee, an office, interface strings): no
   training, no model load; go to 8.
3. ``train`` (nice, in the Rasa environment) into ``models/``.
4. ``baseline``: the live model's figures, stored with the publish that put
   it live; measured when there are none (first publish).
5. ``load``: the idle server is drained at the proxy, then gets the
   candidate with ``PUT /model``; its stall touches nobody.
6. ``evaluate``: the held-out questions against the idle server's model
   (``bot.tools.evaluation --nlu``).
7. ``gate``: refused when the accuracy, overall or in any language, is lower
   than the baseline's by more than ``MIGRANT_BOT_STAFF_MAX_ACCURACY_DROP``.
8. ``go_live``: the published content is snapshotted, the draft's files are
   written over it (each one atomically; the action server reads changed
   content and catalogs on the next message), and the proxy switches to the
   idle server (model changes only).

A failure or refusal before step 8 changes nothing users see. A rollback
restores the snapshot taken by the last publish and switches back to the
server that still holds the previous model (loading it into the idle server
first if that one no longer has it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.settings import PROJECT_ROOT
from bot.staff.config import StaffConfig, load_config
from bot.staff.db import publish_jobs
from bot.staff.draft import check_draft
from bot.staff.publish_content import ContentTree, changed_files, install, overlay, snapshot
from bot.staff.publish_jobs import PublishBusy, create_job, finish_job, job_status, last_live_job, last_publish, set_step, update_job
from bot.staff.publish_settings import PublishSettings, load_publish_settings
from bot.staff.replicas import sides_for
from bot.staff.sides import SideError, Sides

__all__ = ["PublishBusy", "publish_status", "rollback", "start_publish", "start_rollback", "wait_for"]

PUBLISH_STEPS = ["validate", "compare", "train", "baseline", "load", "evaluate", "gate", "go_live"]
ROLLBACK_STEPS = ["check", "load", "go_live"]
_TASKS: dict[int, asyncio.Task] = {}
logger = logging.getLogger(__name__)


class StepFailed(RuntimeError):
    """A step could not be done; the job fails with this message."""


class Refused(RuntimeError):
    """The gate refused the candidate; the job ends as refused with this message."""


# the job row's columns the state fills in, written when the job ends (rollback_of is written by the check step)
_COLUMNS = ("mode", "model", "previous_model", "side_before", "side_after", "snapshot", "scores", "baseline")


@dataclass
class JobState:
    """What a job's steps learn, for the later steps; the job row's columns among it are written when the job ends."""

    changed: list[str] = field(default_factory=list)  # the draft's files that differ from the published content
    unreachable: str = ""  # why the assistant's servers (or the proxy) did not answer; "" they did, or were not asked
    mode: str | None = None  # answers (no training) | model
    needed: str | None = None  # the name of the model the draft needs
    previous_model: str | None = None  # the model live before the job
    side_before: str | None = None  # the side users were on before the job (None: the servers did not answer)
    side_after: str | None = None  # the side users are on after it
    model_file: Path | None = None  # the trained candidate
    model: str | None = None  # the model live after the job
    baseline: dict[str, Any] | None = None  # the live model's evaluation figures, the gate's reference
    scores: dict[str, Any] | None = None  # the evaluation figures of the model live after the job
    snapshot: str | None = None  # the published content before the job (a folder)
    rollback_of: int | None = None  # the publish a rollback undoes

    def columns(self) -> dict[str, Any]:
        """The job row's columns this state fills in (``staff_publish_jobs``)."""
        return {name: getattr(self, name) for name in _COLUMNS}


@dataclass
class Job:
    """One running job: where it works and how it records its steps."""

    engine: AsyncEngine
    job_id: int
    kind: str
    actor: str
    config: StaffConfig
    settings: PublishSettings
    sides: Sides = field(init=False)
    state: JobState = field(default_factory=JobState)  # what the steps learn; its columns are written at the end
    only: list[str] | None = None  # publish only these files of the draft (relative paths); None: all of it

    def __post_init__(self) -> None:
        self.sides = sides_for(self.settings)
        self.work.mkdir(parents=True, exist_ok=True)

    @property
    def work(self) -> Path:
        return self.settings.work_dir / str(self.job_id)

    @property
    def published(self) -> ContentTree:
        """What users get: the assistant's data folder and catalogs."""
        return ContentTree.published(self.config)

    @property
    def frozen(self) -> ContentTree:
        """The draft as it was when the publish started: trained, evaluated and published."""
        return ContentTree.within(self.work / "draft", self.config.pack)

    async def step(self, name: str, action: Callable[[], Awaitable[str]]) -> None:
        """Runs one step, recording running -> done (with ``action``'s detail) or failed."""
        await set_step(self.engine, self.job_id, name, state="running", started_at=time.time())
        try:
            detail = await action()
        except BaseException as error:
            await set_step(self.engine, self.job_id, name, state="failed", finished_at=time.time(), detail=_message(error))
            raise
        await set_step(self.engine, self.job_id, name, state="done", finished_at=time.time(), detail=detail)

    async def skip(self, *names: str, why: str) -> None:
        for name in names:
            await set_step(self.engine, self.job_id, name, state="skipped", detail=why)

    async def command(self, step: str, args: list[str], extra_env: dict[str, str] | None = None) -> str:
        """Runs a command of the Rasa environment; its output goes to the step's log; returns its standard output."""
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "MIGRANT_BOT_API_TOKEN": self.settings.api_token, **(extra_env or {})}
        process = await asyncio.create_subprocess_exec(
            *args, cwd=PROJECT_ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        log: list[str] = []
        out = asyncio.create_task(process.stdout.read())  # type: ignore[union-attr]

        async def follow() -> None:
            flushed = time.monotonic()
            async for line in process.stderr:  # type: ignore[union-attr]
                log.append(line.decode(errors="replace"))
                if time.monotonic() - flushed > 2:
                    flushed = time.monotonic()
                    await set_step(self.engine, self.job_id, step, log="".join(log))

        try:
            await asyncio.wait_for(asyncio.gather(follow(), process.wait()), timeout=self.settings.step_timeout_s)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            process.kill()
            await process.wait()
            raise
        finally:
            await set_step(self.engine, self.job_id, step, log="".join(log))
        stdout = (await out).decode(errors="replace")
        if process.returncode != 0:
            tail = "".join(log[-8:]).strip()
            raise StepFailed(f"{Path(args[0]).name} {' '.join(args[1:4])}... exited with {process.returncode}: {tail[-1500:]}")
        return stdout


def _message(error: BaseException) -> str:
    if isinstance(error, (StepFailed, Refused, SideError)):
        return str(error)
    if isinstance(error, asyncio.CancelledError):
        return "cancelled"
    if isinstance(error, asyncio.TimeoutError):
        return "timed out"
    return f"unexpected error: {error!r}"


def _python(job: Job, module: str, *args: str, nice: bool = False) -> list[str]:
    command = [str(job.settings.rasa_python), "-m", module, *args]
    return ["nice", "-n", "10", *command] if nice else command


# --- the publish steps -------------------------------------------------------------------------


async def _validate(job: Job) -> str:
    draft = job.config.draft_dir
    if not (draft / "languages.yml").exists():
        raise StepFailed(f"there is no draft at {draft}")
    if job.only is None:
        await asyncio.to_thread(snapshot, ContentTree.draft(job.config), job.frozen.data_dir)
    else:
        frozen = await asyncio.to_thread(snapshot, job.published, job.frozen.data_dir)
        await asyncio.to_thread(overlay, ContentTree.draft(job.config), frozen, job.only)
    state = await asyncio.to_thread(check_draft, job.frozen.data_dir, job.config.pack)
    if state.blocking():
        raise StepFailed("the draft has errors: " + "; ".join(sorted(state.blocking())[:20]))
    changed = await asyncio.to_thread(changed_files, job.frozen, job.published)
    if not changed:
        raise Refused("nothing to publish: the draft equals the published content")
    job.state.changed = changed
    return f"{len(changed)} file(s) changed: {', '.join(changed[:10])}" + (
        f" (and {len(state.warnings)} warning(s))" if state.warnings else ""
    )


async def _model_name(job: Job, data_dir: Path, build: str) -> str:
    """The name of the model ``data_dir``'s content needs (config name + fingerprint), without training."""
    args = ["--name-only", "--config", str(job.settings.train_config), "--data-dir", str(data_dir), "--build-dir", str(job.work / build)]
    out = await job.command("compare", _python(job, "bot.tools.train", *args))
    name = out.strip().splitlines()[-1] if out.strip() else ""
    if not name:
        raise StepFailed("bot.tools.train --name-only printed no model name")
    return name


async def _live(job: Job) -> tuple[str, str] | None:
    """The active side and its model, or None when the servers (or the proxy) do not answer."""
    try:
        active = await job.sides.active()
        return active, await job.sides.model(active)
    except SideError as error:
        job.state.unreachable = str(error)
        return None


async def _compare(job: Job) -> str:
    needed = await _model_name(job, job.frozen.data_dir, "build")
    live = await _live(job)
    # without the servers, the reference is the model the published content needs
    reference = live[1] if live else await _model_name(job, job.published.data_dir, "build-published")
    mode = "answers" if needed == reference else "model"
    if mode == "model" and not job.settings.can_load_models:
        raise StepFailed(
            "the draft changes ways of asking, which needs a new model, and zero-downtime switching is off "
            "(MIGRANT_BOT_ZERO_DOWNTIME=0): there is no second Rasa server to load it into; publish answer-only changes, "
            "or restart the assistant with the draft's content"
        )
    if mode == "model" and live is None:
        raise StepFailed(
            "the draft changes ways of asking, which needs a new model, and the assistant's servers do not answer: " + job.state.unreachable
        )
    side = live[0] if live else None
    job.state.side_before = side
    job.state.previous_model = reference
    job.state.needed = needed
    job.state.mode = mode
    await update_job(job.engine, job.job_id, mode=mode, side_before=side, previous_model=reference)
    if mode == "answers":
        where = f"the live model {reference} stays"
        if live is None:
            where = f"the assistant is not running; the published content's model {reference} stays"
        return f"answer-only change: {where} (no training)"
    return f"the ways of asking changed: model {needed} is needed (live: {reference})"


async def _train(job: Job) -> str:
    args = ["--config", str(job.settings.train_config), "--data-dir", str(job.frozen.data_dir), "--build-dir", str(job.work / "build")]
    out = await job.command("train", _python(job, "bot.tools.train", *args, "--out", str(job.settings.models_dir), nice=True))
    model = Path(out.strip().splitlines()[-1]) if out.strip() else Path()
    if not model.name.endswith(".tar.gz") or not model.exists():
        raise StepFailed(f"training printed no model file ({out.strip()[-200:]!r})")
    job.state.model_file = model
    return f"model {model.name}"


async def _evaluate(job: Job, side: str, name: str, concurrency: int = 2) -> dict[str, Any]:
    out = job.work / f"scores-{name}.json"
    args = [str(job.settings.heldout), "--nlu", "--url", job.sides.url(side), "--json", str(out), "--concurrency", str(concurrency)]
    await job.command(name, _python(job, "bot.tools.evaluation", *args), {"MIGRANT_BOT_DATA_DIR": str(job.frozen.data_dir)})
    return json.loads(out.read_text(encoding="utf-8"))


def _figures(scores: dict[str, Any]) -> str:
    langs = ", ".join(f"{lang} {value:.1%}" for lang, value in scores["accuracy_by_lang"].items())
    return f"accuracy {scores['accuracy']:.1%} on {scores['total']} questions ({langs})"


async def _baseline(job: Job) -> str:
    live = job.state.previous_model
    stored = await last_live_job(job.engine, live)
    if stored:
        job.state.baseline = stored["scores"]
        return f"stored with job {stored['id']}: {_figures(stored['scores'])}"
    idle = job.sides.idle(job.state.side_before)
    # measured where no user waits when the idle server holds the live model; else gently on the live one
    side, concurrency = (idle, 2) if await job.sides.model(idle) == live else (job.state.side_before, 1)
    job.state.baseline = await _evaluate(job, side, "baseline", concurrency)
    return f"measured on {side}: {_figures(job.state.baseline)}"


async def _load(job: Job, model_file: Path, step: str = "load") -> str:
    idle = job.sides.idle(await job.sides.active())
    drained = await job.sides.drain(idle)
    started = time.monotonic()
    await job.sides.load(idle, model_file)
    job.state.side_after = idle
    return f"{model_file.name} loaded into {idle} in {time.monotonic() - started:.1f} s (drained: {drained.get('sessions', 0)} sessions)"


def gate(candidate: dict[str, Any], baseline: dict[str, Any], max_drop: float) -> list[str]:
    """Why the candidate is refused (empty: it passes): a drop of more than ``max_drop`` overall or in a language."""
    reasons = []
    if baseline["accuracy"] - candidate["accuracy"] > max_drop:
        reasons.append(f"accuracy {candidate['accuracy']:.1%} against {baseline['accuracy']:.1%} live")
    for lang, before in baseline.get("accuracy_by_lang", {}).items():
        after = candidate.get("accuracy_by_lang", {}).get(lang, 0.0)
        if before - after > max_drop:
            reasons.append(f"{lang} {after:.1%} against {before:.1%} live")
    return reasons


async def _gate(job: Job) -> str:
    reasons = gate(job.state.scores, job.state.baseline, job.settings.max_accuracy_drop)
    if reasons:
        raise Refused(
            f"refused: the new model understands less (more than {job.settings.max_accuracy_drop:.1%} lower): " + "; ".join(reasons)
        )
    return f"passed (allowed drop {job.settings.max_accuracy_drop:.1%})"


async def _go_live(job: Job, source: ContentTree, switch_to: str | None) -> str:
    before = await asyncio.to_thread(snapshot, job.published, job.work / "before")
    job.state.snapshot = str(before.data_dir)
    changed = await asyncio.to_thread(install, source, job.published)
    if switch_to and switch_to != job.state.side_before:
        try:
            switched = await job.sides.switch(switch_to)
        except SideError:
            await asyncio.to_thread(install, before, job.published)  # the content goes back with the model
            raise
        return f"{len(changed)} file(s) published; users are on {switched.get('active', switch_to)}"
    return f"{len(changed)} file(s) published; the action server reloads them on the next message"


async def _run_publish(job: Job) -> None:
    await job.step("validate", lambda: _validate(job))
    await job.step("compare", lambda: _compare(job))
    if job.state.mode == "answers":
        await job.skip("train", "baseline", "load", "evaluate", "gate", why="answer-only change")
        await job.step("go_live", lambda: _go_live(job, job.frozen, None))
        stored = await last_live_job(job.engine, job.state.previous_model)
        job.state.model = job.state.previous_model
        job.state.side_after = job.state.side_before
        job.state.scores = stored and stored["scores"]
        return
    await job.step("train", lambda: _train(job))
    await job.step("baseline", lambda: _baseline(job))
    await job.step("load", lambda: _load(job, job.state.model_file))

    async def evaluate() -> str:
        job.state.scores = await _evaluate(job, job.state.side_after, "evaluate")
        return _figures(job.state.scores)

    await job.step("evaluate", evaluate)
    await job.step("gate", lambda: _gate(job))
    await job.step("go_live", lambda: _go_live(job, job.frozen, job.state.side_after))
    job.state.model = job.state.needed


# --- rollback --------------------------------------------------------------------------------------


async def _run_rollback(job: Job) -> None:
    target: dict[str, Any] = {}

    async def check() -> str:
        found = await last_publish(job.engine)
        if not found:
            raise StepFailed("there is no publish to roll back")
        if not Path(found["snapshot"]).exists():
            raise StepFailed(f"the content snapshot of job {found['id']} is missing ({found['snapshot']})")
        target.update(found)
        live = await _live(job)
        if live is None and found["mode"] != "answers":
            raise StepFailed("rolling back a new model needs the assistant's servers, which do not answer: " + job.state.unreachable)
        active, model = live or (None, found["previous_model"])  # an answer-only publish: only the content goes back
        job.state.side_before = active
        job.state.previous_model = model
        job.state.rollback_of = found["id"]
        await update_job(job.engine, job.job_id, rollback_of=found["id"], side_before=active)
        return f"rolls back job {found['id']} ({found['mode']}): model {found['previous_model']}, content of {found['snapshot']}"

    await job.step("check", check)
    want = target["previous_model"]
    switch_to = None
    if job.state.previous_model == want:
        await job.skip("load", why=f"{want} is live already")
    else:
        idle = job.sides.idle(job.state.side_before)
        if await job.sides.model(idle) == want:
            await job.skip("load", why=f"{idle} still holds {want}")
        else:
            model_file = job.settings.models_dir / f"{want}.tar.gz"
            if not model_file.exists():
                raise StepFailed(f"the previous model file {model_file} is gone")
            await job.step("load", lambda: _load(job, model_file))
        switch_to = idle
    await job.step("go_live", lambda: _go_live(job, ContentTree.within(Path(target["snapshot"]), job.config.pack), switch_to))
    async with job.engine.begin() as conn:
        await conn.execute(update(publish_jobs).where(publish_jobs.c.id == target["id"]).values(state="rolled_back"))
    stored = await last_live_job(job.engine, want)
    job.state.model = want
    job.state.side_after = switch_to or job.state.side_before
    job.state.scores = stored and stored["scores"]


# --- the API ---------------------------------------------------------------------------------------


async def _execute(job: Job, run: Callable[[Job], Awaitable[None]]) -> None:
    state, message = "succeeded", ""
    try:
        await run(job)
        message = "published" if job.kind == "publish" else "rolled back"
    except Refused as error:
        state, message = "refused", str(error)
    except BaseException as error:  # the job row must end whatever happened; CancelledError is re-raised below
        state, message = "failed", _message(error)
        if not isinstance(error, (StepFailed, SideError, asyncio.CancelledError, asyncio.TimeoutError)):
            logger.exception("%s job %s failed", job.kind, job.job_id)
        if isinstance(error, asyncio.CancelledError):
            with contextlib.suppress(Exception):
                await asyncio.shield(_finish(job, state, message))
            raise
    await _finish(job, state, message)


async def _finish(job: Job, state: str, message: str) -> None:
    await finish_job(job.engine, job.job_id, state, message, job.actor, job.kind, **job.state.columns())


async def _start(
    engine: AsyncEngine,
    kind: str,
    actor: str,
    config: StaffConfig | None,
    settings: PublishSettings | None,
    only: list[str] | None = None,
) -> int:
    steps = PUBLISH_STEPS if kind == "publish" else ROLLBACK_STEPS
    job_id = await create_job(engine, kind, actor, steps)
    job = Job(engine, job_id, kind, actor, config or load_config(), settings or load_publish_settings(), only=only)
    task = asyncio.create_task(_execute(job, _run_publish if kind == "publish" else _run_rollback))
    _TASKS[job_id] = task
    task.add_done_callback(lambda _t: _TASKS.pop(job_id, None))
    return job_id


async def start_publish(
    engine: AsyncEngine,
    actor: str,
    config: StaffConfig | None = None,
    settings: PublishSettings | None = None,
    only: list[str] | None = None,
) -> int:
    """Starts publishing the draft (or only the files ``only``) in the background; returns the job id.

    Raises ``PublishBusy`` when a job runs.
    """
    return await _start(engine, "publish", actor, config, settings, only)


async def start_rollback(
    engine: AsyncEngine, actor: str, config: StaffConfig | None = None, settings: PublishSettings | None = None
) -> int:
    """Starts rolling back the last publish; returns the job id. Raises ``PublishBusy`` when a job runs."""
    return await _start(engine, "rollback", actor, config, settings)


async def wait_for(engine: AsyncEngine, job_id: int) -> dict[str, Any] | None:
    """Waits for a job started in this process, then returns its status."""
    task = _TASKS.get(job_id)
    if task:
        await asyncio.shield(task)
    return await job_status(engine, job_id)


async def rollback(engine: AsyncEngine, actor: str, config: StaffConfig | None = None, settings: PublishSettings | None = None) -> dict:
    """Rolls back the last publish and returns the finished job."""
    job_id = await start_rollback(engine, actor, config, settings)
    return await wait_for(engine, job_id) or {}


async def publish_status(engine: AsyncEngine, job_id: int | None = None) -> dict[str, Any] | None:
    """A job (default: the newest) with its steps: state, detail, log, times."""
    return await job_status(engine, job_id)
