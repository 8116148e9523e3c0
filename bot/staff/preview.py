"""Preview: what the assistant would answer with the draft content.

The question is classified first by the draft's own ways of asking (an exact
match, after the same normalisation as the channels apply), then by the live
assistant's NLU model over Rasa's HTTP API (``POST /model/parse`` with the API
token). The answer is rendered from the draft with the action server's own
function (``bot.core.render.topic_answer``: plain Python, no Rasa SDK), so an
answer-only change (a fee, an address) shows exactly as users will get it.
A question is answered by a knowledge-base entry when it is one of the
entry's ways of asking, or when the live model's entry selector (Rasa's
``response_selector`` in the parse result) is sure enough of one of the
topic's entries, as the action server decides (``actions.entries``).
New ways of asking are recognised by the model only after publishing, which
is why exact matches of the draft are tried first and labelled as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp

from bot.core.content.model import ENTRY_SEPARATOR, OVERVIEW_KEY, Answer, Pack
from bot.core.dialogue import Label
from bot.core.render import topic_answer, topic_title
from bot.core.text import normalize_user_text

NLU_FALLBACK = Label.NLU_FALLBACK.value  # what Rasa's FallbackClassifier predicts below its threshold
#: Below this confidence (within the topic) the overview answers instead of an entry (actions.entries.ENTRY_CONFIDENCE).
ENTRY_CONFIDENCE = 0.3
_RETRIEVAL_DELIMITER = "/"  # the entry selector's labels: ``residence_permit/fee``


@dataclass
class Preview:
    """A previewed question: how it was understood and the reply's messages."""

    question: str
    lang: str
    label: str | None = None
    entry: str | None = None  # the entry id that answers (``residence_permit.fee``), None for an overview
    confidence: float | None = None
    how: str = ""  # "draft example", "live model" or "" (not understood)
    alternatives: list[tuple[str, float]] = field(default_factory=list)
    title: str = ""
    messages: list[str] = field(default_factory=list)
    error: str = ""


def match_example(pack: Pack, text: str) -> str | None:
    """The topic, entry (``topic.key``) or label one of whose draft examples is this text (normalised), if any."""
    wanted = normalize_user_text(text).lower()
    for entry in [*pack.answers(), *pack.labels.values()]:
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


def selected_entry(pack: Pack, topic_id: str, parsed: dict) -> str | None:
    """The entry of ``topic_id`` the live model's entry selector chose, when sure enough (else the overview answers)."""
    topic = pack.topics.get(topic_id)
    selector = (parsed.get("response_selector") or {}).get("default") or {}
    prefix = f"{topic_id}{_RETRIEVAL_DELIMITER}"
    ranked = [
        (str(r["intent_response_key"]).removeprefix(prefix), float(r.get("confidence") or 0.0))
        for r in selector.get("ranking") or []
        if str(r.get("intent_response_key") or "").startswith(prefix)
    ]
    total = sum(c for _key, c in ranked)
    if topic is None or not ranked or total <= 0:
        return None
    key, confidence = ranked[0]
    if key == OVERVIEW_KEY or key not in topic.entries or confidence / total < ENTRY_CONFIDENCE:
        return None
    return f"{topic_id}{ENTRY_SEPARATOR}{key}"


def render_answer(pack: Pack, result: Preview, answer_id: str) -> Preview:
    """Fills in the reply of a topic's overview or an entry (``topic.key``) as the action server renders it."""
    found = pack.topic_and_entry(answer_id)
    if found is None:
        return result
    topic_id, entry = found
    answer: Answer = entry or pack.topics[topic_id]
    result.entry = entry.id if entry else None
    result.title = topic_title(answer, result.lang)
    result.messages = topic_answer(pack, answer, result.lang)
    return result


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
        # the label stays the model's intent (a topic); the entry that answers is ``result.entry``
        return render_answer(pack, result, selected_entry(pack, result.label or "", parsed) or result.label or "")
    return render_answer(pack, result, result.label or "")
