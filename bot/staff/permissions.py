"""Who may do what: the one table of permission rules, checked on the server.

Roles: an *editor* edits all content; a *translator* edits the text of the
languages assigned to them; a *publisher* publishes; an *admin* manages users
and deletes a user's conversation when asked to.
A person can hold several roles. Anyone signed in may read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

ROLES = ("editor", "translator", "publisher", "admin")


@dataclass(frozen=True)
class User:
    """A signed-in staff member."""

    id: int
    email: str
    name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)  # a translator's languages

    def has(self, role: str) -> bool:
        return role in self.roles


Rule = Callable[[User, "str | None"], bool]

#: permission -> rule(user, language). Every route names one of these.
RULES: dict[str, Rule] = {
    "read": lambda user, lang: True,
    "edit_content": lambda user, lang: user.has("editor"),
    "edit_language": lambda user, lang: user.has("editor") or (user.has("translator") and lang in user.languages),
    "publish": lambda user, lang: user.has("publisher"),
    "manage_users": lambda user, lang: user.has("admin"),
    "delete_conversations": lambda user, lang: user.has("admin"),
}


def can(user: User | None, permission: str, lang: str | None = None) -> bool:
    """True when ``user`` (None: not signed in) may do ``permission`` (for ``lang``)."""
    if user is None:
        return False
    return RULES[permission](user, lang)
