"""Shared by the benchmark scripts: the machine, the load, tables, and docs/benchmarks.md.

Each benchmark owns one section of ``docs/benchmarks.md`` between the markers
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``; a run rewrites only its
own section, so the benchmarks can be rerun one at a time.
"""

from __future__ import annotations

import os
import platform
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
RESULTS = ROOT / "results"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def load_average() -> str:
    """The 1/5/15-minute load averages, as `uptime` prints them."""
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "n/a"
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def machine() -> dict[str, str]:
    import rasa

    try:
        import rasa_sdk

        sdk = rasa_sdk.__version__
    except Exception:
        sdk = "n/a"
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "ram": f"{memory_gb():.1f} GB",
        "os": os_name(),
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "rasa_sdk": sdk,
    }


def machine_line(info: dict[str, str]) -> str:
    return (
        f"{info['cpu']}, {info['cores']} cores, {info['ram']} RAM, {info['os']}, "
        f"Python {info['python']}, Rasa {info['rasa']}, Rasa SDK {info['rasa_sdk']}"
    )


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f}%"


def ratio(ours: float | None, theirs: float | None) -> str:
    if not ours or not theirs:
        return "n/a"
    return f"{ours / theirs:.2f}×"


def read_section(name: str, doc: Path = DOC) -> str:
    """The current text of the section ``name`` of docs/benchmarks.md ("" if none)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = doc.read_text() if doc.exists() else ""
    match = re.search(re.escape(start) + r"(.*?)" + re.escape(end), text, re.S)
    return match.group(1) if match else ""


#: added to a figure that the doc kept from an earlier run because this machine has no raw results for it
EARLIER = " (earlier run; its raw results are not on this machine)"

#: environment for a timed training: no component restored from Rasa's training cache
#: (.rasa/cache, shared with `make train`), which would make a training look seconds long
NO_TRAINING_CACHE = {"RASA_MAX_CACHE_SIZE": "0"}


def marked_earlier(text: str, written: str = "") -> str:
    """``text`` with the earlier-run marker (once), naming when it was written if known."""
    if "earlier run" in text:
        return text
    return text + (EARLIER.replace("earlier run", f"earlier run, {written}") if written else EARLIER)


def table_rows(text: str) -> list[list[str]]:
    """The body rows of the Markdown tables in ``text`` (cells stripped; header and rule rows left out)."""
    rows, previous_was_row = [], False
    for line in text.splitlines():
        if not line.startswith("| "):
            previous_was_row = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if previous_was_row and not set("".join(cells)) <= set("-: "):
            rows.append(cells)
        previous_was_row = True
    return rows


def write_section(name: str, body: str, doc: Path = DOC) -> None:
    """Replaces (or appends) the section ``name`` of docs/benchmarks.md."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    text = doc.read_text() if doc.exists() else "# Benchmarks\n"
    block = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    doc.write_text(text)


def command_line() -> str:
    """The command this run was started with, for the doc."""
    script = Path(sys.argv[0])
    try:
        script = script.resolve().relative_to(ROOT)
    except ValueError:
        pass
    # a table printed again from saved results was made by the same command without these
    args = [arg for arg in sys.argv[1:] if arg not in ("--report-only", "--no-doc")]
    return " ".join([".venv/bin/python", str(script), *args])


class Clock:
    """Wall time of the whole run, printed at the end."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started
