"""Command-line tools run by ``make`` (train, evaluate, chat); not part of a running server."""
