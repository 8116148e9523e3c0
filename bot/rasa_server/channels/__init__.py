"""Rasa input channels with the checks the product needs (see docs/channels.md)."""
