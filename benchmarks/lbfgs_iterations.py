"""How accuracy grows with lbfgs iterations: the classifier of config.yml alone, CLINC150 and the content.

    .venv/bin/python benchmarks/lbfgs_iterations.py [--data clinc150|content] [--iterations 10 25 50 75 100 150]

Fits scikit-learn's LogisticRegression as the project's classifier does (C=50,
lbfgs, balanced class weights) once, up to the largest of ``--iterations``,
and scores the iterate after each of them: in-scope accuracy and
out-of-scope recall with the fallback threshold of config.yml (0.4). The
features are scikit-learn's word and char_wb 2–5 count vectors standing in
for Rasa's, so the figures are indicative; the benchmarks that count are
clinc150.py and understanding.py. This is the measurement behind
``max_iter`` in config.yml (docs/benchmarks.md, CLINC150).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import yaml
from scipy import sparse

from benchmarks import clinc150, report

THRESHOLD = 0.4


def _tokens(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def datasets(name: str, data: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]], str]:
    """Training and test pairs (text, label), and the out-of-scope label."""
    if name == "clinc150":
        splits = clinc150.read_data(data)
        return [*splits["train"], *splits["oos_train"]], [*splits["test"], *splits["oos_test"]], clinc150.OOS
    nlu = yaml.safe_load((report.ROOT / "build" / "data" / "nlu.yml").read_text())["nlu"]
    train = [
        (line.strip()[2:], item["intent"])
        for item in nlu
        if "intent" in item
        for line in item["examples"].splitlines()
        if line.strip().startswith("- ")
    ]
    heldout = [json.loads(line) for line in (report.ROOT / "data" / "eval" / "heldout.jsonl").read_text().splitlines() if line.strip()]
    return train, [(q["text"], q["label"]) for q in heldout], "out_of_scope"


def main(argv: list[str] | None = None) -> int:
    import sklearn.linear_model._logistic as logistic
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.linear_model import LogisticRegression

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", choices=["clinc150", "content"], default="clinc150", help="content: run `make build` first")
    parser.add_argument("--clinc150", type=Path, default=clinc150.default_data())
    parser.add_argument("--iterations", type=int, nargs="+", default=[10, 25, 50, 75, 100, 150])
    args = parser.parse_args(argv)
    train, test, oos = datasets(args.data, args.clinc150)
    word, char = CountVectorizer(token_pattern=r"(?u)\b\w\w+\b"), CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    texts = [_tokens(t) for t, _ in train]
    X = sparse.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    test_texts = [_tokens(t) for t, _ in test]
    X_test = sparse.hstack([word.transform(test_texts), char.transform(test_texts)]).tocsr()
    print(f"{args.data}: {X.shape[0]} examples, {X.shape[1]} features, {X.nnz} non-zeros", file=sys.stderr)

    snapshots: dict[int, np.ndarray] = {}
    cpu_at: dict[int, float] = {}
    started = time.process_time()
    minimize = logistic.optimize.minimize

    def recording_minimize(*a, **k):  # the iterate after each iteration, kept at the ones asked for
        count = [0]

        def callback(xk: np.ndarray) -> None:
            count[0] += 1
            if count[0] in args.iterations:
                snapshots[count[0]], cpu_at[count[0]] = xk.copy(), time.process_time() - started

        return minimize(*a, callback=callback, **k)

    logistic.optimize.minimize = recording_minimize
    try:
        clf = LogisticRegression(C=50, solver="lbfgs", max_iter=max(args.iterations), tol=1e-4, class_weight="balanced", random_state=42)
        clf.fit(X, [label for _, label in train])
    finally:
        logistic.optimize.minimize = minimize
    rows = []
    classes = len(clf.classes_)
    for iteration, xk in sorted(snapshots.items()):
        w = xk.reshape((classes, -1), order="F")
        clf.coef_, clf.intercept_ = w[:, :-1].copy(), w[:, -1].copy()
        probabilities = clf.predict_proba(X_test)
        best = probabilities.argmax(1)
        labels = [clf.classes_[b] if probabilities[k, b] >= THRESHOLD else oos for k, b in enumerate(best)]
        in_scope = [(p, g) for p, (_, g) in zip(labels, test, strict=True) if g != oos]
        out_scope = [p for p, (_, g) in zip(labels, test, strict=True) if g == oos]
        rows.append(
            [
                str(iteration),
                f"{cpu_at[iteration]:.0f} s",
                report.pct(sum(p == g for p, g in in_scope) / len(in_scope)),
                report.pct(sum(p == oos for p in out_scope) / len(out_scope)),
            ]
        )
    print(report.table(["lbfgs iterations", "CPU so far", "in-scope accuracy", "out-of-scope recall"], rows))
    print(f"converged after {clf.n_iter_[0]} iterations" if clf.n_iter_[0] < max(args.iterations) else "not converged", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
