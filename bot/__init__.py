"""Migrant information assistant. One package per process, plus what they share.

- ``bot.core``: shared by every process (content model, languages, offices, text, settings);
- ``bot.rasa_server``: runs inside the Rasa server (NLU components, channels, stores, patches);
- ``bot.action_server``: starts the Rasa SDK action server that runs ``actions/``;
- ``bot.staff``: the staff web app (its own environment, .venv-staff);
- ``bot.switch``: the proxy in front of the blue/green Rasa servers (staff environment);
- ``bot.tools``: command-line tools (train, evaluate, chat).

docs/architecture.md draws the processes and the path of one message.
"""
