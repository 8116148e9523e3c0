"""deploy/compose.yaml against the Compose specification's JSON schema, offline.

The validator is check-jsonschema (requirements-staff-dev.in; it needs jsonschema>=4.18, which
Rasa's pin keeps out of .venv, so this runs in .venv-staff) with the schema it vendors,
``--builtin-schema vendor.compose-spec``: read from the wheel, never fetched. Each run goes
through an audit hook that refuses every connection and name lookup, and a test shows the hook
stops a schema that would be fetched, so a validator that reached for the network would fail here.

The schema sees the raw YAML (anchors and ``<<`` merges resolved): ``${VAR:?msg}`` and
``${VAR:-default}`` are strings to it, which the schema allows wherever Compose interpolates.
The rest (the services' shape, ports, replicas, the settings' variables) is checked in .venv by
tests/tooling/test_deploy_files.py. Broken copies of the file show that the check bites.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import distribution
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "deploy" / "compose.yaml"
SCHEMA = "vendor.compose-spec"
SCHEMA_FILE = "check_jsonschema/builtin_schemas/vendor/compose-spec.json"  # where the wheel holds it
#: check-jsonschema's command line, run under an audit hook that refuses the network
OFFLINE = """\
import sys

def refuse(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        raise RuntimeError(f"no network in this check: {event} {args!r}")

sys.addaudithook(refuse)
sys.argv[0] = "check-jsonschema"
from check_jsonschema import main
main()
"""


def check_jsonschema(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    """``check-jsonschema --color never ARGS`` with no network; its download cache (unused for a builtin schema) in ``cache``."""
    environ = {"PATH": os.environ.get("PATH", ""), "HOME": str(cache), "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    command = [sys.executable, "-c", OFFLINE, "--color", "never", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=environ, check=False)


def validate(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    return check_jsonschema("--builtin-schema", SCHEMA, str(path), cache=cache)


def test_the_schema_is_the_compose_specification_in_the_wheel() -> None:
    package = distribution("check-jsonschema")
    assert SCHEMA_FILE in {str(file) for file in package.files or []}  # installed from the wheel, not fetched later
    schema = json.loads(Path(str(package.locate_file(SCHEMA_FILE))).read_text(encoding="utf-8"))
    assert schema["title"] == "Compose Specification"
    assert {"services", "volumes", "configs"} <= set(schema["properties"])
    assert schema["additionalProperties"] is False  # an unknown top-level key is an error, not ignored


def test_compose_file_matches_the_compose_specification(tmp_path: Path) -> None:
    result = validate(COMPOSE, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout
    assert list(tmp_path.iterdir()) == []  # nothing downloaded or cached


def test_the_check_cannot_reach_the_network(tmp_path: Path) -> None:
    """A schema that would have to be downloaded fails under the same hook: the check above fetched nothing."""
    result = check_jsonschema("--no-cache", "--schemafile", "https://example.org/compose-spec.json", str(COMPOSE), cache=tmp_path)
    assert result.returncode != 0
    assert "no network in this check: socket.getaddrinfo" in result.stdout + result.stderr


#: (what to replace in a copy of compose.yaml, its replacement, what the error names)
BROKEN = {
    # replicas belongs under deploy:, and a misspelt key is refused all the same
    "unknown-service-key": ("\n  rasa:\n", "\n  rasa:\n    replicass: 3\n", ["$.services.rasa: 'replicass' does not match"]),
    # ports is a list; a string is not one
    "ports-not-a-list": ('    ports:\n      - "80:8080"\n', '    ports: "80:8080"\n', ["$.services.nginx.ports", "is not of type 'array'"]),
    # the shared x-python-service block reaches the services by << and is checked there
    "unknown-key-by-merge": (
        "  platform: linux/amd64\n",
        "  platform: linux/amd64\n  restartt: always\n",
        ["$.services.actions", "'restartt'"],
    ),
    "unknown-condition": (
        "      actions:\n        condition: service_healthy\n",
        "      actions:\n        condition: service_ready\n",
        ["$.services.rasa.depends_on", "service_ready"],
    ),
    "unknown-top-level-key": ("\nvolumes:\n", "\nvolume:\n", ["::$: 'volume' does not match"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_the_check_refuses_a_broken_copy(tmp_path: Path, case: str) -> None:
    old, new, messages = BROKEN[case]
    text = COMPOSE.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"compose.yaml changed: {old!r} is not there once; update this test"
    path = tmp_path / "compose.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    cache = tmp_path / "cache"
    cache.mkdir()
    result = validate(path, cache)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Schema validation errors were encountered." in output
    for message in messages:
        assert message in output, output
