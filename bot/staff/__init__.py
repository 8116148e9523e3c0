"""The staff web app: staff edit answers, translations and offices without code.

It runs in its own environment (``.venv-staff``, a current aiohttp) and must
never import Rasa, Rasa SDK or TensorFlow: it shares only pure-Python code
with the assistant (the content: ``bot.core.content``, ``bot.core.offices``,
``bot.core.settings``; privacy: ``bot.core.privacy.masking``, ``bot.core.privacy.erase``)
and talks to the assistant over HTTP, the command line and the conversation
store (read for the inbox, deleted from by the retention job and by admins).
See docs/staff.md.
"""
