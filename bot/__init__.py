"""Migrant information assistant: content, language and channel code shared by Rasa and the action server."""
