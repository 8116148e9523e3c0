"""Edits of the pack's YAML files by subject, on ruamel's round-trip trees (``bot.staff.yamledit`` loads and dumps them).

The staff pages parse a form, call one of these, save and render; only these
modules (and ``yamledit``) change a CommentedMap or CommentedSeq.
"""
