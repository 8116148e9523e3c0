"""``python -m bot.channels``: which messenger channels are on (exit 1 on a partial configuration)."""

from __future__ import annotations

import sys

from bot.channels.config import SPECS, ChannelConfigError, channel_states


def main() -> int:
    try:
        states = channel_states()
    except ChannelConfigError as error:
        print(f"Messenger channels: {error}", file=sys.stderr)
        return 1
    on = [SPECS[name].title for name, enabled in states.items() if enabled]
    off = [SPECS[name].title for name, enabled in states.items() if not enabled]
    print(f"Messenger channels on: {', '.join(on) or 'none'}" + (f" (off: {', '.join(off)}; docs/channels.md)" if off else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
