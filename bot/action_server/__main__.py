"""``python -m bot.action_server``: the action server (see the package's docstring)."""

from bot.action_server import main

main()
