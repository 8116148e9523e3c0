"""Chat with the running assistant in a terminal: ``make chat``.

Buttons are listed with numbers; type a number to press one.
"""

from __future__ import annotations

import argparse
import sys
import uuid

import requests

from bot.core.settings import load_settings


def main(argv: list[str] | None = None) -> int:
    port = load_settings().rasa_port
    parser = argparse.ArgumentParser(prog="python -m bot.tools.chat", description=__doc__)
    parser.add_argument("--url", default=f"http://localhost:{port}")
    parser.add_argument("--lang", help="the language picked in the client (sent as metadata.lang)")
    args = parser.parse_args(argv)
    sender = f"terminal-{uuid.uuid4().hex[:8]}"
    pending: list[dict] = []
    print("Type a question (Ctrl+D to quit).")
    while True:
        try:
            line = input("> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if line.isdigit() and 0 < int(line) <= len(pending):
            line = pending[int(line) - 1]["payload"]
        body = {"sender": sender, "message": line, **({"metadata": {"lang": args.lang}} if args.lang else {})}
        try:
            reply = requests.post(f"{args.url}/webhooks/rest/webhook", json=body, timeout=60)
        except requests.RequestException as error:
            print(f"The assistant is not reachable at {args.url}: {error}", file=sys.stderr)
            continue
        if reply.status_code != 200:
            print(reply.json().get("error", reply.text))
            continue
        pending = []
        for message in reply.json():
            if message.get("text"):
                print(message["text"])
            for button in message.get("buttons") or []:
                pending.append(button)
                print(f"  [{len(pending)}] {button['title']}")


if __name__ == "__main__":
    sys.exit(main())
