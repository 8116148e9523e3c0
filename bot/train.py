"""Builds the training data and trains a model, unless one for exactly this content exists.

    python -m bot.train [--config config.yml] [--out models]

Prints the model's path. The model's file name is a fingerprint of the
generated training data, the domain and the pipeline configuration, so a
model is trained once per change of content and reused by the start
command, the tests and the evaluation.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
from pathlib import Path

from bot.content.build import build
from bot.content.loader import ContentError, load_pack
from bot.settings import PROJECT_ROOT


def fingerprint(build_dir: Path, config: Path) -> str:
    """A fingerprint of everything training reads."""
    digest = hashlib.sha256()
    for path in [config, *sorted(build_dir.rglob("*.yml"))]:
        digest.update(path.relative_to(PROJECT_ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_model(config: Path, out_dir: Path, build_dir: Path | None = None) -> Path:
    """The model for the current content, trained first if it does not exist yet."""
    build_dir = build(load_pack(), build_dir)
    name = f"{config.stem}-{fingerprint(build_dir, config)}"
    model = out_dir / f"{name}.tar.gz"
    if model.exists():
        return model
    rasa = Path(sys.executable).parent / "rasa"
    command = [
        str(rasa),
        "train",
        "--config",
        str(config),
        "--domain",
        str(build_dir / "domain"),
        "--data",
        str(build_dir / "data"),
        "--out",
        str(out_dir),
        "--fixed-model-name",
        name,
    ]
    print(f"Training a model for the current content ({config.name})...", file=sys.stderr)
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=sys.stderr)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.train", description=__doc__)
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "models")
    args = parser.parse_args(argv)
    try:
        model = ensure_model(args.config.resolve(), args.out.resolve())
    except ContentError as error:
        print("The content cannot be loaded:", *error.problems, sep="\n  ", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as error:
        print(f"Training failed ({error.returncode}); see the output above.", file=sys.stderr)
        return 1
    print(model)
    return 0


if __name__ == "__main__":
    sys.exit(main())
