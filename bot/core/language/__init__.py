"""Telling the language of a message and choosing the reply language."""
