"""The switch: the public front of ``make run``, in front of the two Rasa servers (blue/green).

It runs in the staff environment (.venv-staff, aiohttp 3.13) and never
imports Rasa; the staff app's publishing drives it through its control API.
"""
