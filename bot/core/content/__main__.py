"""Command line for staff and CI: ``python -m bot.core.content check|build|stamp``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.core.content.build import build
from bot.core.content.check import check_pack
from bot.core.content.loader import ContentError, load_pack
from bot.core.content.stamp import stamp
from bot.core.settings import load_settings


def held_out_questions(folder: Path) -> list[str]:
    """The texts of every held-out question in ``folder`` (JSON lines with a ``text``)."""
    texts = []
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(str(json.loads(line).get("text", "")))
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.core.content", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="list missing, too short or stale content")
    check.add_argument("--strict", action="store_true", help="fail on warnings (stale translations) too")
    sub.add_parser("build", help="write Rasa's training data and domain into build/")
    stamp_cmd = sub.add_parser("stamp", help="mark translations as up to date with their source text")
    stamp_cmd.add_argument("--lang", help="only this language")
    stamp_cmd.add_argument("--topic", help="only this topic")
    stamp_cmd.add_argument("--missing-only", action="store_true", help="only translations never stamped")
    args = parser.parse_args(argv)
    try:
        pack = load_pack()
    except ContentError as error:
        print("The content cannot be loaded:", *error.problems, sep="\n  ", file=sys.stderr)
        return 2
    if args.command == "check":
        findings = check_pack(pack, held_out_questions(load_settings().data_dir / "eval"))
        for finding in findings:
            print(finding)
        errors = sum(f.severity == "error" for f in findings)
        warnings = len(findings) - errors
        print(f"{len(pack.topics)} topics, {len(pack.labels)} labels, {len(pack.languages)} languages: ", end="")
        print(f"{errors} errors, {warnings} warnings")
        return 1 if errors or (args.strict and warnings) else 0
    if args.command == "build":
        out = build(pack)
        print(f"wrote {out / 'data'} and {out / 'domain'}")
        return 0
    changed = stamp(pack, lang=args.lang, topic=args.topic, missing_only=args.missing_only)
    print(f"stamped {changed} translation(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
