"""The entry selector: one model per topic, Rasa's response_selector output, saved and loaded."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_server.components.entry_selector import EntrySelector

EXAMPLES = {
    "residence_permit/fee": ["how much is the residence permit fee", "residence permit cost", "price of a residence permit"],
    "residence_permit/documents": [
        "documents for a residence permit",
        "which papers for the residence permit",
        "residence permit documents list",
    ],
    "residence_permit/overview": ["residence permit", "tell me about residence permits", "residence permit in latvia"],
    "taxes/tax_return": ["when is the tax return due", "annual income declaration deadline", "tax return dates"],
    "taxes/overview": ["taxes", "tax questions", "about taxes in latvia"],
}


def _context(node: str) -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test", node_name=node)


def _pipeline(tmp_path: Path):
    storage = LocalModelStorage(tmp_path)
    tokenizer = WhitespaceTokenizer(WhitespaceTokenizer.get_default_config())
    featurizer = CountVectorsFeaturizer.create(
        {**CountVectorsFeaturizer.get_default_config(), "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
        storage, Resource("cvf"), _context("cvf"),
    )  # fmt: skip
    return storage, tokenizer, featurizer


def _trained(tmp_path: Path, config: dict) -> tuple:
    """A tokenizer, featurizer and entry selector trained on EXAMPLES; the selector loaded back from storage."""
    storage, tokenizer, featurizer = _pipeline(tmp_path)
    data = TrainingData([Message.build(text, intent=key) for key, texts in EXAMPLES.items() for text in texts])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    EntrySelector.create(config, storage, Resource("entries"), _context("entries")).train(data)
    return tokenizer, featurizer, EntrySelector.load(config, storage, Resource("entries"), _context("entries"))


def _message(text: str, intent: str) -> Message:
    message = Message(data={"text": text})
    message.set("intent", {"name": intent, "confidence": 1.0})
    return message


def test_it_ranks_the_entries_of_the_predicted_topic_and_saves_them(tmp_path: Path) -> None:
    tokenizer, featurizer, loaded = _trained(tmp_path, {**EntrySelector.get_default_config(), "C": 50})
    messages = [
        _message("what does the residence permit cost", "residence_permit"),
        _message("and how much?", "follow_up"),
        _message("hi", "greet"),
    ]
    tokenizer.process(messages)
    featurizer.process(messages)
    loaded.process(messages)

    topic, follow_up, greet = (m.get("response_selector")["default"] for m in messages)
    assert topic["response"]["intent_response_key"] == "residence_permit/fee"
    assert {r["intent_response_key"].split("/")[0] for r in topic["ranking"]} == {"residence_permit"}
    assert abs(sum(r["confidence"] for r in topic["ranking"]) - 1.0) < 0.01
    # a follow-up is ranked over every topic's entries; other labels get no ranking
    assert {r["intent_response_key"].split("/")[0] for r in follow_up["ranking"]} == {"residence_permit", "taxes"}
    assert greet["ranking"] == [] and greet["response"]["intent_response_key"] is None
    assert messages[0].get("response_selector")["all_retrieval_intents"] == ["residence_permit", "taxes"]


def test_a_two_part_question_is_ranked_part_by_part(tmp_path: Path) -> None:
    config = {**EntrySelector.get_default_config(), "C": 50, "learn_overview": False, "part_confidence": 0.4}
    tokenizer, featurizer, selector = _trained(tmp_path, config)
    messages = [
        _message("which documents for the residence permit and how much is the residence permit fee", "residence_permit"),
        _message("how much is the residence permit fee", "residence_permit"),
    ]
    tokenizer.process(messages)
    featurizer.process(messages)
    selector.process(messages)

    two, one = (m.get("response_selector")["default"] for m in messages)
    assert [p["intent_response_key"] for p in two["parts"]] == ["residence_permit/documents", "residence_permit/fee"]
    assert one["parts"] == []
    # without the overview's examples, the ranking holds entries only
    assert all(not r["intent_response_key"].endswith("/overview") for r in one["ranking"])


def test_without_retrieval_intents_it_trains_and_loads_empty(tmp_path: Path) -> None:
    storage, tokenizer, featurizer = _pipeline(tmp_path)
    data = TrainingData([Message.build("hello there", intent="greet"), Message.build("bye now", intent="goodbye")])
    tokenizer.process_training_data(data)
    featurizer.train(data)
    featurizer.process_training_data(data)
    config = EntrySelector.get_default_config()
    EntrySelector.create(config, storage, Resource("entries"), _context("entries")).train(data)

    loaded = EntrySelector.load(config, storage, Resource("entries"), _context("entries"))
    message = _message("hello", "greet")
    tokenizer.process([message])
    featurizer.process([message])
    assert loaded.process([message])[0].get("response_selector") is None
