"""The container files agree with the code: docker-compose.yml, the Dockerfile and deploy/k8s/, read as text.

docker-compose.yml and deploy/k8s/ are generated from tools/services.py (tests/test_new_service.py);
these tests check that what the templates make is right for every service.

No Docker engine or cluster is needed. These catch the mistakes that otherwise show only at
`docker compose up` or in a cluster: a setting name the service silently ignores, a port clash, a
database nobody creates, a server that starts before its migrations.
"""

from __future__ import annotations

import json
import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from tools.services import PORTS, SERVICE_NAMES, definition

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S_DIR = ROOT / "deploy" / "k8s"
TOPICS_JOB = K8S_DIR / "topics-job.yaml"
DOCKERFILE = ROOT / "Dockerfile"
COMPONENTS = ("api", "worker")
CONTAINER_PORT = 8000
INIT_SCRIPTS_MOUNT = "/docker-entrypoint-initdb.d"

each_service = pytest.mark.parametrize("name", SERVICE_NAMES)


# --- reading the files -------------------------------------------------------------------------------


@cache
def compose_services() -> dict[str, dict[str, Any]]:
    assert COMPOSE_FILE.is_file(), f"{COMPOSE_FILE.relative_to(ROOT)} is missing"
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    services = document.get("services") if isinstance(document, dict) else None
    assert isinstance(services, dict) and services, "docker-compose.yml defines no `services`"
    return services


def compose_service(name: str) -> dict[str, Any]:
    services = compose_services()
    assert name in services, f"docker-compose.yml has no service `{name}` (it has: {', '.join(services)})"
    return services[name]


def environment(spec: dict[str, Any]) -> dict[str, str]:
    """A compose service's `environment`, in either of its two spellings (mapping or KEY=VALUE list)."""
    raw = spec.get("environment") or {}
    if isinstance(raw, dict):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    pairs = (str(item).partition("=") for item in raw)
    return {key: value for key, _, value in pairs}


def published_ports(spec: dict[str, Any]) -> list[tuple[int, int]]:
    """(host, container) pairs of a compose service's `ports`, short or long syntax."""
    pairs = []
    for entry in spec.get("ports") or []:
        if isinstance(entry, dict):
            if entry.get("published") is not None:
                pairs.append((int(entry["published"]), int(entry["target"])))
            continue
        parts = str(entry).split("/")[0].split(":")
        if len(parts) >= 2:  # "8001:8000" or "127.0.0.1:8001:8000"; a lone "8000" publishes nothing fixed
            pairs.append((int(parts[-2]), int(parts[-1])))
    return pairs


def depends_on(spec: dict[str, Any]) -> list[str]:
    raw = spec.get("depends_on") or []
    return list(raw) if isinstance(raw, (dict, list)) else [raw]


def setting_variables(name: str) -> set[str]:
    """The environment variables the service's settings class reads (prefix PB_, field name in capitals)."""
    settings_cls = definition(name).settings_cls
    prefix = settings_cls.model_config.get("env_prefix", "")
    return {f"{prefix}{field}".upper() for field in settings_cls.model_fields}


def unknown_settings(name: str, variables: list[str]) -> list[str]:
    known = setting_variables(name)
    return sorted(v for v in variables if v.startswith("PB_") and v not in known)


def dockerfile_instructions() -> list[tuple[str, str]]:
    assert DOCKERFILE.is_file(), "Dockerfile (repository root) is missing"
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\s*\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def last(instructions: list[tuple[str, str]], keyword: str) -> str | None:
    values = [rest for kw, rest in instructions if kw == keyword]
    return values[-1] if values else None


def shell_script(command: str) -> str:
    """The shell text a CMD runs: `sh -c` script of an exec form, the whole of a shell form."""
    if not command.startswith("["):
        return command
    argv = json.loads(command)
    if len(argv) >= 3 and Path(argv[0]).name in ("sh", "bash") and argv[1] == "-c":
        return argv[2]
    return shlex.join(argv)


@cache
def k8s_documents() -> list[dict[str, Any]]:
    assert K8S_DIR.is_dir(), f"{K8S_DIR.relative_to(ROOT)} is missing"
    documents = []
    for path in sorted(K8S_DIR.glob("*.yaml")):
        documents += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return documents


def k8s_object(kind: str, object_name: str) -> dict[str, Any]:
    for document in k8s_documents():
        if document.get("kind") == kind and document.get("metadata", {}).get("name") == object_name:
            return document
    raise AssertionError(f"deploy/k8s/ has no {kind} named `{object_name}`")


def pod_containers(deployment: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    pod = deployment["spec"]["template"]["spec"]
    return pod.get("initContainers") or [], pod.get("containers") or []


def argv(container: dict[str, Any]) -> list[str]:
    return [str(a) for a in (container.get("command") or []) + (container.get("args") or [])]


# --- docker compose ------------------------------------------------------------------------------------


@each_service
def test_every_service_has_a_compose_service_whose_build_files_exist(name: str) -> None:
    build = compose_service(name).get("build")
    assert isinstance(build, dict), f"compose service `{name}` needs `build: {{context: ., dockerfile: ...}}`"
    context = (COMPOSE_FILE.parent / str(build.get("context", "."))).resolve()
    assert context.is_dir(), f"compose service `{name}`: build context {context} does not exist"
    dockerfile = context / str(build.get("dockerfile", "Dockerfile"))
    assert dockerfile.is_file(), f"compose service `{name}`: dockerfile {dockerfile} does not exist"
    assert (context / "shared").is_dir(), (
        f"compose service `{name}`: build context {context} does not hold shared/, which the image installs"
    )
    assert dockerfile == DOCKERFILE, f"compose service `{name}` must build the one Dockerfile, not {dockerfile}"
    assert (build.get("args") or {}).get("SERVICE") == name, f"compose service `{name}` must pass SERVICE={name}"


@each_service
def test_compose_publishes_the_port_tools_services_gives_each_service(name: str) -> None:
    expected = (PORTS[name], CONTAINER_PORT)
    actual = published_ports(compose_service(name))
    assert actual == [expected], (
        f"compose service `{name}` publishes {actual}; tools/services.py PORTS wants host {PORTS[name]} "
        f"mapped to container {CONTAINER_PORT}"
    )


def test_no_two_compose_services_publish_the_same_host_port() -> None:
    owners: dict[int, list[str]] = {}
    for service, spec in compose_services().items():
        for host, _ in published_ports(spec):
            owners.setdefault(host, []).append(service)
    clashes = {port: names for port, names in owners.items() if len(names) > 1}
    assert not clashes, f"host ports published more than once in docker-compose.yml: {clashes}"


@each_service
def test_compose_sets_only_variables_the_service_reads(name: str) -> None:
    unknown = unknown_settings(name, list(environment(compose_service(name))))
    assert not unknown, (
        f"compose service `{name}` sets {unknown}, which {definition(name).settings_cls.__name__} does "
        f"not read (known: {sorted(setting_variables(name))})"
    )


def test_every_depends_on_target_is_a_compose_service() -> None:
    services = compose_services()
    missing = [
        f"{service} -> {target}"
        for service, spec in services.items()
        for target in depends_on(spec)
        if target not in services
    ]
    assert not missing, f"depends_on names services docker-compose.yml does not define: {missing}"


@each_service
def test_each_service_waits_for_healthy_kafka_and_postgres(name: str) -> None:
    spec = compose_service(name)
    env = environment(spec)
    needed = {make_url(env.get("PB_DATABASE_URL", "sqlite://")).host} | {
        server.rpartition(":")[0] for server in env.get("PB_KAFKA_BOOTSTRAP_SERVERS", "").split(",") if server
    }
    conditions = spec.get("depends_on") if isinstance(spec.get("depends_on"), dict) else {}
    for target in sorted(t for t in needed if t):
        condition = (conditions.get(target) or {}).get("condition")
        assert condition == "service_healthy", (
            f"compose service `{name}` must depend on `{target}` with condition: service_healthy (has {condition!r})"
        )
        assert compose_service(target).get("healthcheck"), f"compose service `{target}` has no healthcheck"


def test_kafka_runs_in_kraft_mode_and_advertises_the_address_services_use() -> None:
    brokers: dict[str, set[str]] = {}
    for name in SERVICE_NAMES:
        servers = environment(compose_service(name)).get("PB_KAFKA_BOOTSTRAP_SERVERS")
        assert servers, f"compose service `{name}` sets no PB_KAFKA_BOOTSTRAP_SERVERS (default 127.0.0.1:9092)"
        for server in servers.split(","):
            brokers.setdefault(server.strip().rpartition(":")[0], set()).add(server.strip())
    for host, addresses in brokers.items():
        env = environment(compose_service(host))
        assert env.get("KAFKA_PROCESS_ROLES"), f"compose service `{host}` sets no KAFKA_PROCESS_ROLES (KRaft mode)"
        assert env.get("KAFKA_CONTROLLER_QUORUM_VOTERS"), f"compose service `{host}` sets no controller quorum"
        assert "KAFKA_ZOOKEEPER_CONNECT" not in env, f"compose service `{host}` still points at ZooKeeper"
        advertised = env.get("KAFKA_ADVERTISED_LISTENERS", "")
        for address in addresses:
            assert f"//{address}" in advertised, (
                f"services connect to {address}, but `{host}` advertises only {advertised!r}; clients "
                "would be sent to an address they cannot reach"
            )


@each_service
def test_postgres_init_script_creates_the_database_the_service_uses(name: str) -> None:
    url_text = environment(compose_service(name)).get("PB_DATABASE_URL")
    assert url_text, f"compose service `{name}` sets no PB_DATABASE_URL, so it would use SQLite in the container"
    url = make_url(url_text)
    assert url.host and url.database, f"compose service `{name}`: PB_DATABASE_URL {url_text!r} names no host/database"
    postgres = compose_service(url.host)
    mounts = []
    for volume in postgres.get("volumes") or []:
        if isinstance(volume, dict):
            mounts.append((str(volume.get("source", "")), str(volume.get("target", ""))))
        else:
            source, _, rest = str(volume).partition(":")
            mounts.append((source, rest.split(":")[0]))
    sources = [source for source, target in mounts if target.rstrip("/") == INIT_SCRIPTS_MOUNT]
    assert sources, f"compose service `{url.host}` mounts nothing at {INIT_SCRIPTS_MOUNT}"
    init_dir = (COMPOSE_FILE.parent / sources[0]).resolve()
    assert init_dir.is_dir(), f"init script directory {init_dir} does not exist"
    scripts = "\n".join(p.read_text() for p in sorted(init_dir.iterdir()) if p.suffix in (".sql", ".sh"))
    created = re.search(rf'CREATE\s+DATABASE\s+"?{re.escape(url.database)}"?(\s|;|$)', scripts, re.IGNORECASE)
    assert created, (
        f"no script in {init_dir.relative_to(ROOT)} creates database `{url.database}`, which `{name}` connects to"
    )


# --- Dockerfile ----------------------------------------------------------------------------------------

SERVICE_ARG = r'"?\$\{?SERVICE\}?"?'


def test_dockerfile_takes_the_service_as_a_build_argument_and_keeps_it_for_the_command() -> None:
    instructions = dockerfile_instructions()
    assert ("ARG", "SERVICE") in instructions, "Dockerfile must declare `ARG SERVICE`"
    env = " ".join(rest for kw, rest in instructions if kw == "ENV")
    assert re.search(r"\bSERVICE=\$\{?SERVICE\}?", env), "Dockerfile must keep SERVICE in the image's ENV"
    # The liveness probe's /health path is the platform's endpoint, not the health service.
    text = " ".join(rest for kw, rest in instructions if kw != "HEALTHCHECK")
    assert not [n for n in SERVICE_NAMES if re.search(rf"\b{n}\b", text)], (
        "the Dockerfile names a service; it must take every name from the build argument"
    )


def test_dockerfile_runs_migrate_and_only_then_serve() -> None:
    command = last(dockerfile_instructions(), "CMD")
    assert command, "Dockerfile has no CMD"
    steps = re.split(r"\s*&&\s*", shell_script(command))
    migrate = [i for i, step in enumerate(steps) if re.search(rf"python -m {SERVICE_ARG} migrate\b", step)]
    serve = [i for i, step in enumerate(steps) if re.search(rf"python -m {SERVICE_ARG} serve\b", step)]
    assert migrate, f"Dockerfile CMD does not run `python -m $SERVICE migrate`: {command}"
    assert serve, f"Dockerfile CMD does not run `python -m $SERVICE serve`: {command}"
    assert migrate[0] < serve[0], f"Dockerfile CMD must run migrate, then `&&` serve: {command}"


@each_service
def test_dockerfile_installs_the_service_plainly_with_its_packaged_migrations(name: str) -> None:
    versions = ROOT / "services" / name / "src" / name / "migrations" / "versions"
    assert list(versions.glob("0001_*.py")), f"services/{name}: no revisions in {versions.relative_to(ROOT)}"
    install = " ".join(rest for kw, rest in dockerfile_instructions() if kw == "RUN" and "pip install" in rest)
    assert re.search(rf"\./services/{SERVICE_ARG}", install), f"Dockerfile installs no ./services/$SERVICE: {install!r}"
    assert not re.search(r"(^|\s)(-e|--editable)\s", install), (
        f"Dockerfile must install plainly (migrations are package data), not editable: {install!r}"
    )


def test_dockerfile_runs_as_a_user_exposes_8000_and_checks_health() -> None:
    instructions = dockerfile_instructions()
    user = last(instructions, "USER")
    assert user and user.split(":")[0] not in ("root", "0"), "Dockerfile must end as a non-root USER"
    assert str(CONTAINER_PORT) in (last(instructions, "EXPOSE") or ""), "Dockerfile must EXPOSE 8000"
    health = last(instructions, "HEALTHCHECK") or ""
    assert "/health" in health, f"Dockerfile HEALTHCHECK must call /health (has {health!r})"


def test_no_service_keeps_a_dockerfile_of_its_own() -> None:
    assert not list((ROOT / "services").glob("*/Dockerfile")), "one Dockerfile at the root serves every service"


# --- Kubernetes ----------------------------------------------------------------------------------------


def deployment(name: str, component: str) -> dict[str, Any]:
    return k8s_object("Deployment", f"{name}-{component}")


@each_service
def test_configmap_and_deployments_set_only_variables_the_service_reads(name: str) -> None:
    config = k8s_object("ConfigMap", f"pb-{name}-config")
    unknown = unknown_settings(name, list(config.get("data") or {}))
    assert not unknown, f"ConfigMap pb-{name}-config sets {unknown}, which the `{name}` settings do not read"
    for component in COMPONENTS:
        init, main = pod_containers(deployment(name, component))
        for container in init + main:
            names = [e["name"] for e in container.get("env") or []]
            unknown = unknown_settings(name, names)
            assert not unknown, f"Deployment {name}-{component}, container {container['name']}: {unknown} unknown"


@each_service
def test_producer_idempotence_is_on_in_compose_and_kubernetes(name: str) -> None:
    assert environment(compose_service(name)).get("PB_KAFKA_ENABLE_IDEMPOTENCE") == "true"
    assert k8s_object("ConfigMap", f"pb-{name}-config")["data"].get("PB_KAFKA_ENABLE_IDEMPOTENCE") == "true"


@each_service
def test_api_and_worker_deployments_run_their_own_part(name: str) -> None:
    _, (api,) = pod_containers(deployment(name, "api"))
    _, (worker,) = pod_containers(deployment(name, "worker"))
    assert argv(api)[:4] == ["python", "-m", name, "serve"] and "--no-messaging" in argv(api), (
        f"Deployment {name}-api must run `python -m {name} serve --no-messaging` (runs {argv(api)})"
    )
    assert argv(worker)[:4] == ["python", "-m", name, "worker"], (
        f"Deployment {name}-worker must run `python -m {name} worker` (runs {argv(worker)})"
    )
    api_env = {e["name"] for e in api.get("env") or []}
    assert "PB_JWT_PUBLIC_KEY" in api_env, f"Deployment {name}-api needs the identity provider's key"


@each_service
def test_the_service_sends_requests_to_api_pods_only(name: str) -> None:
    selector = k8s_object("Service", name)["spec"]["selector"]
    for component in COMPONENTS:
        labels = deployment(name, component)["spec"]["template"]["metadata"]["labels"]
        matches = all(labels.get(key) == value for key, value in selector.items())
        assert matches == (component == "api"), f"Service {name} selector {selector} vs {component} pods {labels}"
        assert deployment(name, component)["spec"]["selector"]["matchLabels"].items() <= labels.items()


@each_service
@pytest.mark.parametrize("component", COMPONENTS)
def test_deployment_migrates_in_an_init_container(name: str, component: str) -> None:
    init, main = pod_containers(deployment(name, component))
    migrations = [c for c in init if argv(c)[-3:] == ["-m", name, "migrate"]]
    assert migrations, f"Deployment {name}-{component} has no initContainer running `python -m {name} migrate`"
    migrate = migrations[0]
    env = {e["name"] for e in migrate.get("env") or []}
    assert "PB_DATABASE_URL" in env, (
        f"Deployment {name}-{component}: the migrate initContainer has no PB_DATABASE_URL, so it would migrate SQLite"
    )
    for container in main:
        assert "migrate" not in argv(container), f"Deployment {name}-{component}: {container['name']} migrates again"
        assert container.get("image") == migrate.get("image"), (
            f"Deployment {name}-{component}: initContainer image {migrate.get('image')} differs from "
            f"{container.get('image')}"
        )


@each_service
@pytest.mark.parametrize("component", COMPONENTS)
def test_deployment_reads_its_configmap_and_pb_secrets_and_is_probed(name: str, component: str) -> None:
    _, main = pod_containers(deployment(name, component))
    assert main, f"Deployment {name}-{component} has no containers"
    for container in main:
        config_maps = [s["configMapRef"]["name"] for s in container.get("envFrom") or [] if "configMapRef" in s]
        assert f"pb-{name}-config" in config_maps, f"Deployment {name}-{component} does not read pb-{name}-config"
        secrets = {
            e["valueFrom"]["secretKeyRef"]["name"]
            for e in container.get("env") or []
            if "secretKeyRef" in (e.get("valueFrom") or {})
        }
        assert secrets == {"pb-secrets"}, f"Deployment {name}-{component}: secrets from pb-secrets only ({secrets})"
        assert container.get("readinessProbe", {}).get("httpGet", {}).get("path") == "/ready", (
            f"Deployment {name}-{component}: readiness probe must be /ready"
        )
        assert container.get("livenessProbe", {}).get("httpGet", {}).get("path") == "/health", (
            f"Deployment {name}-{component}: liveness probe must be /health"
        )
        limit = container.get("resources", {}).get("limits", {}).get("memory")
        assert limit == "256Mi", f"Deployment {name}-{component}: memory limit must be 256Mi (has {limit!r})"


def test_topics_job_creates_the_topics_with_three_replicas() -> None:
    assert TOPICS_JOB.is_file(), f"{TOPICS_JOB.relative_to(ROOT)} is missing"
    jobs = [d for d in yaml.safe_load_all(TOPICS_JOB.read_text()) if d and d.get("kind") == "Job"]
    assert jobs, f"{TOPICS_JOB.relative_to(ROOT)} holds no Job"
    commands = [argv(c) for c in jobs[0]["spec"]["template"]["spec"]["containers"]]
    assert any(c[:2] == ["pb-topics", "create"] for c in commands), (
        f"the topics Job does not run pb-topics create: {commands}"
    )
    command = next(c for c in commands if c[:2] == ["pb-topics", "create"])
    assert "--bootstrap-servers" in command, "the topics Job gives pb-topics no --bootstrap-servers"
    factor = command[command.index("--replication-factor") + 1] if "--replication-factor" in command else None
    assert factor == "3", f"the topics Job must create topics with --replication-factor 3 (has {factor!r})"
    services = [command[i + 1] for i, arg in enumerate(command) if arg == "--service"]
    assert services == list(SERVICE_NAMES), f"the topics Job must create every service's topics (has {services})"
