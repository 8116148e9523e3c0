"""Pauses a long background benchmark while a timing-sensitive command runs, and records the pause.

    .venv/bin/python benchmarks/hold.py results/clinc150/default -- COMMAND [ARGS...]

The long run (e.g. CLINC150's default pipeline, an hour of training at
``nice -n 19``) writes its process group to ``<prefix>.pgid`` when it starts.
This stops that group (SIGSTOP), runs COMMAND, and lets the group go on
(SIGCONT) however COMMAND ends; the pause goes to ``<prefix>.pauses.jsonl``
and the progress log, and the long run subtracts its pauses from its
training time. Without a pgid file, or when the group has ended, COMMAND
just runs. Exits with COMMAND's exit code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report


def pause_log(prefix: Path) -> Path:
    return prefix.with_name(prefix.name + ".pauses.jsonl")


def paused_seconds(prefix: Path, since: float) -> float:
    """Seconds the run at ``prefix`` was held since ``since`` (a ``time.time()``)."""
    path = pause_log(prefix)
    if not path.exists():
        return 0.0
    pauses = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return sum(p["seconds"] for p in pauses if p["started"] >= since)


def _group(prefix: Path) -> int | None:
    try:
        pgid = int(prefix.with_name(prefix.name + ".pgid").read_text().strip())
        os.killpg(pgid, 0)
    except (OSError, ValueError):
        return None
    return pgid


def hold(prefix: Path, command: list[str]) -> int:
    pgid = _group(prefix)
    if pgid is None:
        print(f"hold: no running group for {prefix}; running the command as it is", file=sys.stderr)
        return subprocess.call(command)
    started = time.time()
    os.killpg(pgid, signal.SIGSTOP)
    try:
        return subprocess.call(command)
    finally:
        os.killpg(pgid, signal.SIGCONT)
        seconds = time.time() - started
        with pause_log(prefix).open("a") as log:
            log.write(json.dumps({"started": started, "seconds": seconds, "command": " ".join(command)}) + "\n")
        progress = prefix.with_name(prefix.name + ".progress.log")
        if progress.exists():
            with progress.open("a") as log:
                log.write(f"{report.now()} paused {seconds / 60:.1f} min for: {' '.join(command)}\n")


def main(argv: list[str]) -> int:
    if len(argv) < 3 or argv[1] != "--":
        print(__doc__, file=sys.stderr)
        return 2
    return hold(Path(argv[0]), argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
