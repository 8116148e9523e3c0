"""``python -m bot.rasa_server.channels``: which messenger channels are on (exit 1 on a partial configuration)."""

from __future__ import annotations

import sys

from bot.rasa_server.channels.config import SPECS, ChannelConfigError, channel_states


def main() -> int:
    try:
        states = channel_states()
    except ChannelConfigError as error:
        print(f"Messenger channels: {error}", file=sys.stderr)
        return 1
    shown = [f"{SPECS[name].title} on (/webhooks/{name}/webhook)" if on else f"{SPECS[name].title} off" for name, on in states.items()]
    print(f"Messenger channels: {'; '.join(shown)} (docs/channels.md)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
