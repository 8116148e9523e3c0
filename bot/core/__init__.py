"""Shared by every process: the content model, languages, offices, text and settings.

Nothing here imports Rasa, the Rasa SDK or the staff app (import contract in
pyproject.toml, checked by ``make test``): the Rasa server, the action
server and the staff app, each in its own environment, all read the pack
through this package.
"""
