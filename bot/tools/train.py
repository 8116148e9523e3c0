"""Builds the training data and trains a model, unless one for exactly this content exists.

    python -m bot.tools.train [--config config.yml] [--out models] [--data-dir DIR] [--build-dir DIR] [--name-only]

Prints the model's path (``--name-only``: only the name the model for this
content would have, without training; the staff app's publish compares it
with the live model's to tell an answer-only change from one that needs
training). ``--data-dir`` trains from another data folder (the staff draft),
``--build-dir`` writes Rasa's generated data there instead of ``build/``. The model's file name is a fingerprint of the
generated training data, the domain and the pipeline configuration, so a
model is trained once per change of content and reused by the start
command, the tests and the evaluation.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from bot.core.content.build import build
from bot.core.content.loader import ContentError, load_pack
from bot.core.settings import PROJECT_ROOT, Settings, load_settings


def _label(path: Path, build_dir: Path) -> str:
    """A file's name in the fingerprint: the same whichever folder the build went to."""
    if path.is_relative_to(build_dir):
        return "build/" + path.relative_to(build_dir).as_posix()
    return path.relative_to(PROJECT_ROOT).as_posix() if path.is_relative_to(PROJECT_ROOT) else path.name


def fingerprint(build_dir: Path, config: Path) -> str:
    """A fingerprint of everything training reads."""
    build_dir = build_dir.resolve()
    digest = hashlib.sha256()
    for path in [config.resolve(), *sorted(build_dir.rglob("*.yml"))]:
        digest.update(_label(path, build_dir).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def model_name(config: Path, build_dir: Path | None = None, settings: Settings | None = None) -> tuple[str, Path]:
    """The model name for the content of ``settings`` (default: the environment's) and the build folder written."""
    build_dir = build(load_pack(settings), build_dir)
    return f"{config.stem}-{fingerprint(build_dir, config)}", build_dir


def ensure_model(config: Path, out_dir: Path, build_dir: Path | None = None, settings: Settings | None = None) -> Path:
    """The model for the current content, trained first if it does not exist yet."""
    name, build_dir = model_name(config, build_dir, settings)
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
    env = {"RASA_TELEMETRY_ENABLED": "false", **os.environ}  # nothing leaves the machine unless asked (serve.py)
    subprocess.run(command, check=True, cwd=PROJECT_ROOT, stdout=sys.stderr, env=env)
    return model


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.tools.train", description=__doc__)
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "models")
    parser.add_argument("--data-dir", type=Path, help="the data folder to train from (default: MIGRANT_BOT_DATA_DIR or data/)")
    parser.add_argument("--build-dir", type=Path, help="where to write Rasa's generated data (default: build/)")
    parser.add_argument("--name-only", action="store_true", help="print the model's name for this content; do not train")
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.data_dir:
        settings = Settings(data_dir=args.data_dir.resolve(), pack=settings.pack, database_url=settings.database_url)
    build_dir = args.build_dir.resolve() if args.build_dir else None
    try:
        if args.name_only:
            print(model_name(args.config.resolve(), build_dir, settings)[0])
            return 0
        model = ensure_model(args.config.resolve(), args.out.resolve(), build_dir, settings)
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
