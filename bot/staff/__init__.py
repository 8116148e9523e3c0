"""The staff web app: staff edit answers, translations and offices without code.

It runs in its own environment (``.venv-staff``, a current aiohttp) and must
never import Rasa, Rasa SDK or TensorFlow: it shares only the pure-Python
content code (``bot.content``, ``bot.offices``, ``bot.settings``) with the
assistant and talks to the assistant over HTTP and the command line.
See docs/staff.md.
"""
