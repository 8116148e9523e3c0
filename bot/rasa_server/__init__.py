"""Runs inside the Rasa server (``rasa run``, the .venv environment).

NLU components, input channels and the web widget's assets, the tracker
store, its cache and the event broker, and the patches to Rasa's own code
(``patches``, installed once at start-up by ``serve``).
"""
