"""Measures language detection on real-looking migrant messages.

    .venv/bin/python benchmarks/language_detection.py

Data: the held-out questions (data/eval/heldout.jsonl, never trained on) and
the pack's own examples in 5 folds (the naive Bayes part is trained on the
other four folds each time, so it is never scored on what it learnt).
Compares langdetect and lingua (each restricted to the pack's languages)
with the project's detector, on all messages and on those of three words or
fewer. Prints a table; docs/language-detection.md keeps the figures.
"""

from __future__ import annotations

import random
import sys
from collections import defaultdict
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.content.loader import load_pack
from bot.core.language.detect import LanguageDetector, _Lingua
from bot.core.settings import PROJECT_ROOT
from bot.tools.evaluation import read_questions

Sample = tuple[str, str]  # (text, lang)


def pack_examples() -> dict[str, list[str]]:
    return load_pack().examples_by_language()


def langdetect_guess(codes: list[str]) -> Callable[[str], str | None]:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def guess(text: str) -> str | None:
        try:
            ranked = [r for r in detect_langs(text) if r.lang in codes]
        except LangDetectException:
            return None
        return ranked[0].lang if ranked else None

    return guess


def lingua_guess(codes: list[str]) -> Callable[[str], str | None]:
    lingua = _Lingua(codes)

    def guess(text: str) -> str | None:
        probabilities = lingua.probabilities(text, codes)
        return max(probabilities, key=probabilities.__getitem__) if probabilities else None

    return guess


def score(samples: list[Sample], guess: Callable[[str], str | None]) -> tuple[float, float, int]:
    short = [(t, lang) for t, lang in samples if len(t.split()) <= 3]

    def acc(items: list[Sample]) -> float:
        return sum(guess(t) == lang for t, lang in items) / len(items) if items else 0.0

    return acc(samples), acc(short), len(short)


def main() -> None:
    pack = load_pack()
    codes = list(pack.languages)
    heldout = [(q.text, q.lang) for q in read_questions(PROJECT_ROOT / "data" / "eval" / "heldout.jsonl")]
    examples = pack_examples()
    rows = []
    full_detector = LanguageDetector(pack.languages, examples)
    for name, guess in [
        ("langdetect (restricted)", langdetect_guess(codes)),
        ("lingua (restricted)", lingua_guess(codes)),
        ("project detector", lambda t: full_detector.detect(t).lang),
    ]:
        rows.append((name, "held-out", *score(heldout, guess)))
    # 5-fold cross-validation on the pack's examples
    rng = random.Random(7)
    labelled = [(t, lang) for lang, texts in examples.items() for t in texts]
    rng.shuffle(labelled)
    folds = [labelled[i::5] for i in range(5)]
    totals = defaultdict(lambda: [0.0, 0.0, 0])
    baselines = {"langdetect (restricted)": langdetect_guess(codes), "lingua (restricted)": lingua_guess(codes)}
    for i, test in enumerate(folds):
        train: dict[str, list[str]] = defaultdict(list)
        for j, fold in enumerate(folds):
            if j != i:
                for t, lang in fold:
                    train[lang].append(t)
        detector = LanguageDetector(pack.languages, train)
        for name, guess in [*baselines.items(), ("project detector", lambda t, d=detector: d.detect(t).lang)]:
            all_acc, short_acc, n_short = score(test, guess)
            totals[name][0] += all_acc / 5
            totals[name][1] += short_acc / 5
            totals[name][2] += n_short
    for name, (all_acc, short_acc, n_short) in totals.items():
        rows.append((name, "pack examples (5-fold)", all_acc, short_acc, n_short))
    reliable_rows = []
    for label, samples in [("held-out", heldout)]:
        detections = [(full_detector.detect(t), lang) for t, lang in samples]
        trusted = [(d, lang) for d, lang in detections if d.reliable]
        reliable_rows.append((label, len(trusted) / len(samples), sum(d.lang == lang for d, lang in trusted) / max(len(trusted), 1)))
    print(f"{'detector':<26} {'data':<24} {'all':>7} {'<=3 words':>10} {'n<=3':>6}")
    for name, data, all_acc, short_acc, n_short in rows:
        print(f"{name:<26} {data:<24} {all_acc:>7.1%} {short_acc:>10.1%} {n_short:>6}")
    for label, coverage, accuracy in reliable_rows:
        print(f"\nproject detector on {label}: {coverage:.1%} of messages judged reliable, {accuracy:.1%} of those right")


if __name__ == "__main__":
    main()
