"""The content pack: topics, labels, offices and languages, loaded from YAML.

The YAML files under ``data/`` are the single source of truth. Everything
else (Rasa's training data, the answers the action server sends) is generated
or looked up from them.
"""

from bot.core.content.loader import ContentError, load_pack
from bot.core.content.model import Label, Language, Office, Pack, Topic, Translation

__all__ = [
    "ContentError",
    "Label",
    "Language",
    "Office",
    "Pack",
    "Topic",
    "Translation",
    "load_pack",
]
