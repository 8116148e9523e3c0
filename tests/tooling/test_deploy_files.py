"""The deployment files (deploy/): valid for their tools, and in step with the settings schema.

Nothing here builds an image or starts a container (no Docker engine or cluster on the test
machines): each kind of file is checked offline by a validator installed from PyPI
(requirements-dev.in), and each validator is shown a broken document too, so a check that
quietly passes everything would fail here:

- Kubernetes manifests: kubernetes-validate's bundled schemas, strict (unknown fields refused);
- compose.yaml: against the Compose spec's JSON schema by check-jsonschema, in the staff app's
  environment (tests/staff/test_compose_file.py: it needs a newer jsonschema than Rasa allows);
  here its structure, read as YAML with Compose's ``${NAME:-default}`` interpolation done by
  ``compose_model`` (services, references between them, ports, replicas, images);
- Dockerfiles: hadolint, and BuildKit's parser (the ``dockerfile`` package) for the structure;
- nginx/nginx.conf: exactly what ``bot.tools.scaled.nginx`` renders for the containers (so it
  cannot drift from the renderer), and ``nginx -t`` when nginx is installed.

"One source of truth for settings": every ``MIGRANT_BOT_*`` variable the files name is one the
schema (bot/core/settings.py) reads, the ports are the schema's defaults, and no secret has a
value in the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dockerfile
import kubernetes_validate
import pytest
import yaml

from bot.core.settings import SECTIONS, setting_fields
from bot.tools.scaled.nginx import CONTAINER_LAYOUT, render

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
NGINX_CONF = DEPLOY / "nginx" / "nginx.conf"
REGENERATE = ".venv/bin/python -m bot.tools.scaled nginx-conf > deploy/nginx/nginx.conf"
NGINX = Path("/usr/sbin/nginx")
CONTAINER_PID = "pid /tmp/nginx.pid;"  # the containers' nginx.conf keeps its pid there (an unprivileged user's folder)
RASA_SERVICE = "rasa:5005"  # the Rasa servers' Service (Kubernetes) or service (Compose), as the containers' nginx.conf names it
K8S_FILES = sorted((DEPLOY / "k8s").glob("*.yaml"))
DOCKERFILES = {path.name.removesuffix(".Dockerfile"): path for path in sorted((DEPLOY / "docker").glob("*.Dockerfile"))}
HADOLINT = Path(sys.executable).parent / "hadolint"
KUBERNETES_VERSION = "1.28"  # the newest schemas of kubernetes-validate 1.28.3 (requirements-dev.in says why that one)
PYTHON_IMAGE = "python:3.10-slim-bookworm"
NGINX_PORT = 8080  # nginx's port in its container (deploy/nginx/nginx.conf listens on it)
VARIABLE = re.compile(r"\bMIGRANT_BOT_[A-Z0-9_]+\b")
REQUIRED = re.compile(r"\$\{([A-Z0-9_]+):\?([^}]*)\}")  # a variable compose refuses to run without, and its message
INTERPOLATION = re.compile(r"\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}")  # ${NAME}, ${NAME:-default}, ${NAME:?message}
#: the settings' variables, each with its default and whether it is a secret
SCHEMA = {f.metadata["env"]: f for cls in SECTIONS.values() for f, _ in setting_fields(cls)}
SECRETS = {name for name, f in SCHEMA.items() if f.metadata["secret"]}
#: each service's port: the schema's default
PORTS = {
    "rasa": SCHEMA["MIGRANT_BOT_RASA_PORT"].default,
    "actions": SCHEMA["MIGRANT_BOT_ACTIONS_PORT"].default,
    "staff": SCHEMA["MIGRANT_BOT_STAFF_PORT"].default,
}
#: a probe path each server answers without a token or a session
PROBES = {"rasa": "/", "actions": "/health", "staff": "/sign-in"}
# jsonschema 4.17 (Rasa's pin) does not know the draft the bundled Kubernetes schemas name; it validates with the latest
pytestmark = pytest.mark.filterwarnings("ignore:The metaschema specified by \\$schema was not found:DeprecationWarning")


# --- helpers


def unknown_variables(text: str) -> set[str]:
    """The ``MIGRANT_BOT_*`` names in ``text`` that the settings schema does not read."""
    return set(VARIABLE.findall(text)) - set(SCHEMA)


def interpolate(value: Any, env: dict[str, str]) -> Any:
    """Compose's interpolation of every string in ``value`` (the forms compose.yaml uses), from ``env`` only.

    An unset ``${NAME:?message}`` raises ``KeyError``, as Compose refuses to run without it.
    """
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, kind, argument = match.groups()
        if env.get(name):
            return env[name]
        if kind == "?":
            raise KeyError(f"{name}: {argument}")
        return argument if kind == "-" else ""

    done = INTERPOLATION.sub(substitute, value)
    assert "$" not in done, f"an interpolation this helper does not know: {value!r}"
    return done


def dummy_secrets(text: str) -> dict[str, str]:
    return {name: "not-a-real-secret-0123456789abcdef" for name, _message in REQUIRED.findall(text)}


def published(port: str | dict[str, Any]) -> tuple[str, int]:
    """A service's port as (published on the host, target in the container): ``[IP:]PUBLISHED:TARGET`` or the long syntax."""
    if isinstance(port, dict):
        return str(port["published"]), int(port["target"])
    *host, target = str(port).split(":")
    return (host[-1] if host else ""), int(target)


def hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HADOLINT), "--no-color", str(path)], capture_output=True, text=True, timeout=60, check=False)


def k8s_documents() -> list[tuple[str, dict[str, Any]]]:
    return [(path.name, doc) for path in K8S_FILES for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def k8s(kind: str, name: str) -> dict[str, Any]:
    (doc,) = [doc for _, doc in k8s_documents() if doc["kind"] == kind and doc["metadata"]["name"] == name]
    return doc


def container(name: str) -> dict[str, Any]:
    (only,) = k8s("Deployment", name)["spec"]["template"]["spec"]["containers"]
    return only


def stages(path: Path) -> list[list[dockerfile.Command]]:
    """A Dockerfile's instructions, one list per stage (BuildKit's parser)."""
    found: list[list[dockerfile.Command]] = []
    for command in dockerfile.parse_file(str(path)):
        if command.cmd == "FROM":
            found.append([])
        found[-1].append(command)
    return found


def instructions(stage: list[dockerfile.Command], cmd: str) -> list[dockerfile.Command]:
    return [command for command in stage if command.cmd == cmd]


def url_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.port or 80


@pytest.fixture(scope="module")
def compose_model() -> dict[str, Any]:
    """compose.yaml as Compose reads it: anchors and ``<<`` merges resolved, interpolated with the defaults and dummy secrets."""
    text = COMPOSE.read_text(encoding="utf-8")
    return interpolate(yaml.safe_load(text), dummy_secrets(text))


def test_the_files_exist() -> None:
    assert COMPOSE.is_file()
    assert set(DOCKERFILES) == {"rasa", "actions", "staff", "nginx"}
    assert {doc["kind"] for _, doc in k8s_documents()} >= {"Deployment", "Service", "ConfigMap"}


# --- Kubernetes


@pytest.mark.parametrize("path", K8S_FILES, ids=lambda path: path.name)
def test_kubernetes_manifests_are_valid(path: Path) -> None:
    for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
        if doc:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize(
    "broken",
    [
        {"spec": {"replicas": "three"}},  # a wrong type
        {"spec": {"template": {"spec": {"containers": [{"name": "rasa", "image": "x:1", "port": 5005}]}}}},  # an unknown field
        {"spec": {"template": {"spec": {"containers": [{"image": "x:1"}]}}}},  # a required field missing
    ],
    ids=["wrong-type", "unknown-field", "missing-name"],
)
def test_the_kubernetes_validator_refuses_a_broken_manifest(broken: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(k8s("Deployment", "rasa")))
    spec = broken["spec"]
    if "replicas" in spec:
        doc["spec"]["replicas"] = spec["replicas"]
    else:
        doc["spec"]["template"]["spec"]["containers"] = spec["template"]["spec"]["containers"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)


def test_replicas_probes_and_resources() -> None:
    assert k8s("Deployment", "rasa")["spec"]["replicas"] == 3
    assert k8s("Deployment", "actions")["spec"]["replicas"] == 2
    assert k8s("Deployment", "staff")["spec"]["replicas"] == 1  # periodic jobs, drafts on one volume
    for name, path in PROBES.items():
        spec = container(name)
        assert [port["name"] for port in spec["ports"]] == ["http"]
        for probe in ("livenessProbe", "readinessProbe"):
            assert spec[probe]["httpGet"] == {"path": path, "port": "http", "scheme": "HTTP"}, (name, probe)
    expected = {
        "rasa": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "1536Mi"}},
        "actions": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
        "staff": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"memory": "512Mi"}},
    }
    assert {name: container(name)["resources"] for name in expected} == expected


def test_no_secret_is_committed() -> None:
    documents = k8s_documents()
    assert [name for name, doc in documents if doc["kind"] == "Secret"] == []
    config = k8s("ConfigMap", "migrant-bot")["data"]
    assert SECRETS & set(config) == set()
    for name in PORTS:
        spec = container(name)
        for variable in spec.get("env", []):
            if variable["name"] in SECRETS or "URL" in variable["name"]:
                ref = variable["valueFrom"]["secretKeyRef"]  # never a value in the file
                assert (ref["name"], ref["key"]) == ("migrant-bot", variable["name"])
        assert {ref.get("secretRef", {}).get("name") for ref in spec["envFrom"]} <= {None, "migrant-bot-channels"}
    # compose: secrets and database passwords come from deploy/.env, never from the file
    # (an address may be written out when it holds no password, as the internal Redis's)
    text = COMPOSE.read_text(encoding="utf-8")
    for service in yaml.safe_load(text)["services"].values():
        for name, value in (service.get("environment") or {}).items():
            if (name in SECRETS or name.endswith("PASSWORD")) and "://" not in str(value):
                assert str(value).startswith("${"), name
    for password in re.findall(r"://[^:/@\s]*:([^@\s]+)@", text):
        assert password.startswith("${"), password


# --- compose.yaml


def test_compose_services(compose_model: dict[str, Any]) -> None:
    assert set(compose_model["services"]) == {"postgres", "redis", "rasa", "actions", "staff", "nginx"}
    assert set(compose_model["volumes"]) == {"postgres-data", "staff-var"}
    for name, service in compose_model["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            assert source.startswith((".", "/")) or source in compose_model["volumes"], (name, volume)
        for config in service.get("configs", []):
            assert config["source"] in compose_model["configs"], (name, config)


def test_compose_requires_the_secrets() -> None:
    """Compose refuses to run while a secret is not in deploy/.env (no default), and says so."""
    text = COMPOSE.read_text(encoding="utf-8")
    values = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    required = REQUIRED.findall(values)
    assert {name for name, _message in required} >= {"POSTGRES_PASSWORD", "MIGRANT_BOT_API_TOKEN", "MIGRANT_BOT_STAFF_SECRET"}
    secret = {name for name, _kind, _argument in INTERPOLATION.findall(values) if name in SECRETS or name.endswith("PASSWORD")}
    assert secret - {name for name, _message in required} == set(), "a secret with a default, or none required"
    assert {message for name, message in required if message != f"set {name} in deploy/.env"} == set()
    with pytest.raises(KeyError, match=r"in deploy/\.env"):
        interpolate(yaml.safe_load(text), {})


def test_compose_shape(compose_model: dict[str, Any]) -> None:
    services = compose_model["services"]
    assert services["rasa"]["deploy"]["replicas"] == 3
    assert services["actions"]["deploy"]["replicas"] == 2
    assert "replicas" not in services["staff"].get("deploy", {})  # one: periodic jobs, drafts on one volume
    for name, service in services.items():
        image = service["image"]
        assert re.search(r":\d[\w.-]*$", image), f"{name}: {image} is not pinned by a version tag"
        for target, dependency in (service.get("depends_on") or {}).items():
            assert target in services, f"{name} depends on {target}, which is not a service"
            assert dependency["condition"] in ("service_healthy", "service_started"), (name, target)
            if dependency["condition"] == "service_healthy":
                has_own = "healthcheck" in services[target]
                has_image = target in DOCKERFILES and instructions(stages(DOCKERFILES[target])[-1], "HEALTHCHECK")
                assert has_own or has_image, f"{name} waits for {target} to be healthy, which has no health check"
    assert [published(port) for port in services["nginx"]["ports"]] == [("80", NGINX_PORT)]
    assert services["staff"]["ports"] == [f"127.0.0.1:5080:{PORTS['staff']}"]  # the host's loopback only
    # the images compose builds are the ones the Kubernetes manifests run
    for name in DOCKERFILES:
        assert container(name)["image"] == services[name]["image"]


# --- Dockerfiles


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfiles_pass_hadolint(name: str) -> None:
    result = hadolint(DOCKERFILES[name])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_refuses_a_broken_dockerfile(tmp_path: Path) -> None:
    path = tmp_path / "broken.Dockerfile"
    path.write_text("FROM python:latest\nRUN cd /app && pip install requests\nUSER root\n", encoding="utf-8")
    result = hadolint(path)
    assert result.returncode != 0
    assert {"DL3007", "DL3003", "DL3013", "DL3002"} <= set(re.findall(r"DL\d{4}", result.stdout))


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_structure(name: str) -> None:
    found = stages(DOCKERFILES[name])
    final = found[-1]
    stage_names = {stage[0].value[2] for stage in found if len(stage[0].value) == 3}
    for stage in found:
        base = stage[0].value[0]
        assert base in stage_names or (base == PYTHON_IMAGE if name != "nginx" else base.startswith("nginx:1.")), base
    user = instructions(final, "USER")
    assert user and user[-1].value[0] not in ("root", "0"), "the final stage must run as a user other than root"
    (healthcheck,) = instructions(final, "HEALTHCHECK")
    (expose,) = instructions(final, "EXPOSE")
    for command in [run for stage in found for run in instructions(stage, "RUN")]:
        if re.search(r"pip install .*-r ", command.value[0]):
            assert "--require-hashes" in command.value[0], command.original
    if name == "nginx":
        assert expose.value == (str(NGINX_PORT),)
        return
    port = PORTS[name]
    assert expose.value == (str(port),)
    assert f"127.0.0.1:{port}{PROBES[name]}'" in healthcheck.original
    (cmd,) = instructions(final, "CMD")
    if name != "staff":  # the staff app reads its port from the schema
        assert cmd.value[cmd.value.index("--port") + 1] == str(port)


def test_the_rasa_image_trains_its_model_at_build_time() -> None:
    found = stages(DOCKERFILES["rasa"])
    trained = [stage[0].value[2] for stage in found if any("python -m bot.tools.train" in c.value[0] for c in instructions(stage, "RUN"))]
    assert trained, "no stage runs python -m bot.tools.train"
    copies = [c for c in instructions(found[-1], "COPY") if c.flags == (f"--from={trained[0]}",)]
    assert copies and "models" in copies[0].value[0]


# --- one source of truth for settings


def files_naming_variables() -> list[Path]:
    return [COMPOSE, *K8S_FILES, *DOCKERFILES.values()]


@pytest.mark.parametrize("path", files_naming_variables(), ids=lambda path: path.relative_to(DEPLOY).as_posix())
def test_every_variable_is_one_the_settings_schema_reads(path: Path) -> None:
    assert unknown_variables(path.read_text(encoding="utf-8")) == set()


def test_the_variable_check_catches_a_name_the_schema_does_not_know() -> None:
    assert unknown_variables("MIGRANT_BOT_RASA_PORT: 5005\nMIGRANT_BOT_RASA_PROT: 5005\n") == {"MIGRANT_BOT_RASA_PROT"}


def test_the_ports_are_the_schema_defaults(compose_model: dict[str, Any]) -> None:
    assert PORTS == {"rasa": 5005, "actions": 5055, "staff": 5080}  # the files assume these; a new default needs them changed
    services = {doc["metadata"]["name"]: doc for _, doc in k8s_documents() if doc["kind"] == "Service"}
    for name, port in PORTS.items():
        assert [p["containerPort"] for p in container(name)["ports"]] == [port]
        assert [p["port"] for p in services[name]["spec"]["ports"]] == [port]
    # the URLs one process reaches another by: a Service (Kubernetes) or service (compose) on its port
    config = k8s("ConfigMap", "migrant-bot")["data"]
    environment = {**compose_model["services"]["rasa"]["environment"], **compose_model["services"]["staff"]["environment"]}
    for urls in (config, environment):
        assert url_port(urls["MIGRANT_BOT_ACTIONS_URL"]) == ("actions", PORTS["actions"])
        assert url_port(urls["MIGRANT_BOT_STAFF_RASA_URL"]) == ("rasa", PORTS["rasa"])
    assert [published(port)[1] for port in compose_model["services"]["staff"]["ports"]] == [PORTS["staff"]]


def test_the_rasa_servers_get_every_variable_endpoints_yml_expands(compose_model: dict[str, Any]) -> None:
    """Rasa refuses to start when a ``${NAME}`` of endpoints.yml or credentials.yml is not in its environment."""
    needed = {
        name
        for file in ("endpoints.yml", "credentials.yml")
        for name in re.findall(r"\$\{(\w+)\}", (ROOT / file).read_text(encoding="utf-8"))
    }
    assert needed
    spec = container("rasa")
    given = {variable["name"] for variable in spec["env"]} | set(k8s("ConfigMap", "migrant-bot")["data"])
    assert needed - given == set()
    assert needed - set(compose_model["services"]["rasa"]["environment"]) == set()


def test_nginx_conf_is_the_rendered_one() -> None:
    """deploy/nginx/nginx.conf is generated: an edit by hand, or a renderer changed without regenerating, fails here."""
    assert NGINX_CONF.read_bytes().decode("utf-8") == render(CONTAINER_LAYOUT), f"deploy/nginx/nginx.conf is out of date: {REGENERATE}"


def test_the_container_layout_matches_the_services(compose_model: dict[str, Any]) -> None:
    assert CONTAINER_LAYOUT.listen == str(NGINX_PORT)
    assert not CONTAINER_LAYOUT.show_upstream  # the internal addresses stay private on the public port
    assert CONTAINER_LAYOUT.action_servers == ()  # the Rasa servers call the actions service directly (MIGRANT_BOT_ACTIONS_URL)
    for server in CONTAINER_LAYOUT.rasa_servers:
        host, _, port = server.rpartition(":")
        assert host in compose_model["services"] and int(port) == PORTS.get(host), server


def nginx_test(text: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on a copy of a containers' nginx.conf: its pid in ``folder``, the Rasa service's name as loopback.

    nginx resolves an upstream's host name when it reads the file, and ``rasa`` (a Compose or
    Kubernetes service) has no address here.
    """
    assert CONTAINER_PID in text and f"server {RASA_SERVICE} " in text
    conf = folder / "nginx.conf"
    copy = text.replace(CONTAINER_PID, f"pid {folder / 'nginx.pid'};").replace(f"server {RASA_SERVICE} ", "server 127.0.0.1:5005 ")
    assert RASA_SERVICE not in copy and "/tmp/nginx.pid" not in copy
    conf.write_text(copy, encoding="utf-8")
    command = [str(NGINX), "-t", "-p", str(folder), "-c", str(conf), "-g", "error_log stderr;"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed (scripts/run-scaled.sh installs it)")
def test_nginx_accepts_the_containers_conf(tmp_path: Path) -> None:
    result = nginx_test(NGINX_CONF.read_text(encoding="utf-8"), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed (scripts/run-scaled.sh installs it)")
def test_nginx_refuses_a_broken_conf(tmp_path: Path) -> None:
    broken = NGINX_CONF.read_text(encoding="utf-8").replace("proxy_pass http://rasa;", "proxy_pass http://rasa", 1)
    result = nginx_test(broken, tmp_path)
    assert result.returncode != 0
    assert "emerg" in result.stderr
