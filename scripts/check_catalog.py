"""Fail when a message template (.pot) no longer matches the source code.

Extracts the interface strings the way `make messages-extract` and
`make staff-messages` do (pybabel extract -F <config> --no-location
--omit-header .) into a temporary file, and compares its messages with the
committed template: message ids, plural ids and contexts; not headers, order,
locations or comments. Run it with the Python of the environment that has the
extractors the config needs (.venv for babel.cfg, .venv-staff for
bot/staff/babel.cfg, whose Jinja2 templates need Jinja2):

    .venv/bin/python scripts/check_catalog.py babel.cfg locales/messages.pot
    .venv-staff/bin/python scripts/check_catalog.py bot/staff/babel.cfg bot/staff/locales/messages.pot

Exit status 0 when both hold the same messages, 1 when they differ (each
difference is listed, with the make target that regenerates the template).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.pofile import read_po

Key = tuple[str | None, str]  # (context, message id)


def _messages(pot: Path) -> dict[Key, str | None]:
    """Message keys of a template, each with its plural id (None for a singular message)."""
    with pot.open("rb") as handle:
        catalog = read_po(handle)
    found: dict[Key, str | None] = {}
    for message in catalog:
        if not message.id:  # the header entry
            continue
        if isinstance(message.id, (list, tuple)):
            singular, plural = str(message.id[0]), str(message.id[1])
        else:
            singular, plural = str(message.id), None
        found[(message.context, singular)] = plural
    return found


def extract(config: Path, root: Path, out: Path) -> None:
    """Run pybabel's extraction of `root` with `config` into `out` (as the make targets do)."""
    command = [
        sys.executable,
        "-m",
        "babel.messages.frontend",
        "--quiet",
        "extract",
        "-F",
        str(config.resolve()),
        "-o",
        str(out),
        "--no-location",
        "--omit-header",
        ".",
    ]
    subprocess.run(command, cwd=root, check=True)


def differences(template: Path, extracted: Path) -> list[str]:
    """What the template lacks, what it still has that the code no longer marks, and changed plural ids."""
    committed, current = _messages(template), _messages(extracted)
    lines = []

    def name(key: Key) -> str:
        context, msgid = key
        return repr(msgid) if context is None else f"{msgid!r} (context {context!r})"

    for key in sorted(current.keys() - committed.keys(), key=str):
        lines.append(f"missing from the template: {name(key)}")
    for key in sorted(committed.keys() - current.keys(), key=str):
        lines.append(f"in the template but no longer in the code: {name(key)}")
    for key in sorted(committed.keys() & current.keys(), key=str):
        if committed[key] != current[key]:
            lines.append(f"plural differs for {name(key)}: template {committed[key]!r}, code {current[key]!r}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config", type=Path, help="the babel mapping file, e.g. babel.cfg")
    parser.add_argument("template", type=Path, help="the committed template, e.g. locales/messages.pot")
    parser.add_argument("--root", type=Path, default=Path("."), help="the folder extracted from (default: the current one)")
    parser.add_argument("--fix-hint", default="make messages-extract", help="the command that regenerates the template")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        extracted = Path(tmp) / "extracted.pot"
        extract(args.config, args.root, extracted)
        found = differences(args.template, extracted)
    if found:
        print(f"{args.template} is out of date ({len(found)} difference(s)); `{args.fix_hint}` regenerates it:")
        for line in found:
            print(f"  {line}")
        return 1
    print(f"{args.template}: up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
