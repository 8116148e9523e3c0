"""Preview: what the assistant would answer with the draft content.

The question is classified first by the draft's own ways of asking (an exact
match, after the same normalisation as the channels apply), then by the live
assistant's NLU model over Rasa's HTTP API (``POST /model/parse`` with the API
token). The answer is rendered from the draft with the action server's own
function (``actions.render.topic_answer``: plain Python, no Rasa SDK), so an
answer-only change (a fee, an address) shows exactly as users will get it.
New ways of asking are recognised by the model only after publishing, which
is why exact matches of the draft are tried first and labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from actions.render import topic_answer, topic_title
from bot.content.model import Pack
from bot.text import normalize_user_text

NLU_FALLBACK = "nlu_fallback"  # what Rasa's FallbackClassifier predicts below its threshold


@dataclass
class Preview:
    """A previewed question: how it was understood and the reply's messages."""

    question: str
    lang: str
    label: str | None = None
    confidence: float | None = None
    how: str = ""  # "draft example", "live model" or "" (not understood)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    title: str = ""
    messages: list[str] = field(default_factory=list)
    error: str = ""


def match_example(pack: Pack, text: str) -> str | None:
    """The topic or label one of whose draft examples is this text (normalised), if any."""
    wanted = normalize_user_text(text).lower()
    for entry in [*pack.topics.values(), *pack.labels.values()]:
        for translation in entry.translations.values():
            if any(normalize_user_text(example).lower() == wanted for example in translation.examples):
                return entry.id
    return None


async def parse(rasa_url: str, token: str, text: str, timeout_s: float = 10.0) -> dict:
    """Rasa's NLU result for ``text`` (raises aiohttp.ClientError or TimeoutError when it cannot be reached)."""
    async with (
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout_s)) as session,
        session.post(f"{rasa_url}/model/parse", params={"token": token}, json={"text": normalize_user_text(text)}) as answer,
    ):
        answer.raise_for_status()
        return await answer.json()


async def preview(pack: Pack, question: str, lang: str, rasa_url: str, token: str) -> Preview:
    """Classifies ``question`` and renders the draft's reply in ``lang``."""
    result = Preview(question=question, lang=lang)
    label = match_example(pack, question)
    if label:
        result.label, result.how = label, "draft example"
    else:
        try:
            parsed = await parse(rasa_url, token, question)
        except (aiohttp.ClientError, TimeoutError) as error:
            result.error = f"{type(error).__name__}: {error}"
            return result
        intent = parsed.get("intent") or {}
        result.label, result.confidence, result.how = intent.get("name"), intent.get("confidence"), "live model"
        ranking = [(r.get("name"), r.get("confidence") or 0.0) for r in parsed.get("intent_ranking") or []]
        result.alternatives = [(name, conf) for name, conf in ranking if name not in (result.label, NLU_FALLBACK)][:3]
    topic = pack.topics.get(result.label or "")
    if topic is not None:
        result.title = topic_title(topic, lang)
        result.messages = topic_answer(pack, topic, lang)
    return result
