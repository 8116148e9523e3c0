"""Replays of the privacy and security review's findings against running servers (issue 16)."""
