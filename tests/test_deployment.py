"""The deployment files promise the same guarantees as `make run` (no server, no helm, no docker).

Helm cannot be installed and no image can be built on the project's build machine, so the files
are read as the tools would read them: the Rasa chart's config map writes `trackerStore` and
`lockStore` as `key: value` lines (maps as YAML, nothing else), `additionalEndpoints` and the
channel credentials as YAML; Rasa then mounts them at /app. What a deployer would otherwise only
find out in production is checked here: the redacting store (and with it log redaction and the
action-server fallback), the atomic lock store, the channels, the ingress paths, readiness, the
retention CronJob, secrets only from secrets, and compose agreeing with the Kubernetes files.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from typing import Any, Dict, List

import pytest
import yaml

from bot.privacy.settings import PrivacySettings
from bot.runtime.processes import runtime_endpoints, serve_part, services
from bot.runtime.settings import Settings
from tests.conftest import PROJECT

SECRET_NAME = re.compile(r"TOKEN|PASSWORD|SECRET|DATABASE_URL")
REDACTING_STORE = "bot.stores.tracker_store.RedactingTrackerStore"
CHANNELS = {
    "bot.channels.rest.SafeRestInput", "bot.channels.socketio.SafeSocketIOInput",
    "bot.channels.whatsapp.WhatsAppInput", "bot.channels.telegram.TelegramInput",
}


def load(path: str) -> Any:
    return yaml.safe_load((PROJECT / path).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def rasa_values() -> Dict[str, Any]:
    return load("deploy/helm/values.rasa.yaml")


@pytest.fixture(scope="module")
def scale() -> Dict[str, Any]:
    return load("endpoints.scale.yml")


@pytest.fixture(scope="module")
def kubernetes() -> Dict[str, Dict[str, Any]]:
    documents = yaml.safe_load_all((PROJECT / "deploy/kubernetes/werkwijzer.yaml").read_text(encoding="utf-8"))
    return {document["kind"]: document for document in documents if document}


@pytest.fixture(scope="module")
def compose() -> Dict[str, Any]:
    return load("compose.yaml")["services"]


def chart_endpoints(values: Dict[str, Any]) -> Dict[str, Any]:
    """The endpoints file the Rasa chart's config-map.yaml writes from the values."""
    endpoints = values["applicationSettings"]["endpoints"]
    written: Dict[str, Any] = {}
    for key, section in (("tracker_store", "trackerStore"), ("lock_store", "lockStore")):
        if endpoints[section].get("enabled"):
            for name, value in endpoints[section].items():
                # the chart writes `{{ $key }}: {{ $value }}`: a list would come out as Go's `[a b]`
                assert not isinstance(value, list), f"{section}.{name}: the chart cannot write a list"
            written[key] = {k: v for k, v in endpoints[section].items() if k != "enabled"}
    written.update(endpoints.get("additionalEndpoints") or {})
    return written


def environment(env: List[Dict[str, Any]]) -> Dict[str, Any]:
    """A container's env list as {name: value or the valueFrom}."""
    return {item["name"]: item.get("value", item.get("valueFrom")) for item in env}


def image_of(values: Dict[str, Any]) -> str:
    return f"{values['registry']}/{values['image']['name']}:{values['image']['tag']}"


def test_kubernetes_stores_conversations_redacted_and_locks_atomically_as_scale_out_does(rasa_values, scale):
    endpoints = chart_endpoints(rasa_values)
    store = endpoints["tracker_store"]
    assert store["type"] == REDACTING_STORE == scale["tracker_store"]["type"]
    module, _, name = store["type"].rpartition(".")
    assert getattr(importlib.import_module(module), name).__name__ == name  # the class Rasa will load
    assert store["store"] == scale["tracker_store"]["store"]
    assert store["retention_days"] == scale["tracker_store"]["retention_days"]
    assert store["keep_originals_minutes"] == scale["tracker_store"]["keep_originals_minutes"]
    # the same public contacts stay unredacted: those of scale-out are in the assistant's texts
    helm_privacy = PrivacySettings.from_config(store, PROJECT)
    assert PrivacySettings.from_config(scale["tracker_store"], PROJECT).public_contacts <= helm_privacy.public_contacts
    assert endpoints["lock_store"] == scale["lock_store"]
    assert endpoints["lock_store"]["type"] == "bot.stores.lock_store.AtomicRedisLockStore"
    assert endpoints["event_broker"]["type"] == scale["event_broker"]["type"]


def test_kubernetes_starts_the_rasa_server_exactly_as_make_run_does(rasa_values, tmp_path, monkeypatch):
    """`python -m bot serve rasa` becomes the Rasa server of `python -m bot run` (bot.runtime.rasa_server:
    log redaction, the action fallback and retention, which tests/test_faults.py and
    tests/test_privacy.py check on that server), with the token in the environment only."""
    assert (rasa_values["command"], rasa_values["args"]) == (["python", "-m", "bot", "serve"], ["rasa"])
    started = {}
    monkeypatch.setattr("os.chdir", lambda path: None)
    monkeypatch.setattr("os.execve", lambda path, argv, env: started.update(argv=argv, env=env))
    mounted = {"endpoints": chart_endpoints(rasa_values),  # what the chart mounts at /app
               "credentials": rasa_values["applicationSettings"]["credentials"]["additionalChannelCredentials"]}
    for name, content in mounted.items():
        (tmp_path / f"{name}.yml").write_text(yaml.safe_dump(content), encoding="utf-8")
    env = {k: v for k, v in environment(rasa_values["extraEnv"]).items() if isinstance(v, str)}
    env.update(BOT_ENDPOINTS=str(tmp_path / "endpoints.yml"), BOT_CREDENTIALS=str(tmp_path / "credentials.yml"))
    settings = dataclasses.replace(Settings.from_env(env), data_dir=tmp_path, extra_env={"RASA_API_TOKEN": "t" * 32})
    model = tmp_path / "model.tar.gz"
    serve_part(settings, "rasa", model)
    assert started["argv"] == services(settings, model)[1].command  # the same as `bot run`
    assert started["argv"][1:4] == ["-m", "bot.runtime.rasa_server", "run"]
    assert "t" * 32 not in " ".join(started["argv"]) and started["env"]["RASA_API_TOKEN"] == "t" * 32
    assert started["argv"][started["argv"].index("--interface") + 1] == "0.0.0.0"


def test_the_action_endpoint_has_the_fallback_timeout_and_the_services_address(rasa_values, scale):
    action = chart_endpoints(rasa_values)["action_endpoint"]
    assert action["timeout"] == scale["action_endpoint"]["timeout"]
    assert action["enable_selective_domain"] is True
    env = environment(rasa_values["extraEnv"])
    assert action["url"] == env["BOT_ACTION_URL"] + "/webhook"
    assert rasa_values["rasa-action-server"]["external"]["enabled"] is False  # else two action_endpoint keys


def test_the_chart_endpoints_filled_in_as_serve_fills_them_reach_the_configured_services(rasa_values, tmp_path):
    written = tmp_path / "endpoints.yml"
    written.write_text(yaml.safe_dump(chart_endpoints(rasa_values)), encoding="utf-8")
    env = {k: v for k, v in environment(rasa_values["extraEnv"]).items() if isinstance(v, str)}
    settings = dataclasses.replace(
        Settings.from_env(env), endpoints=written, data_dir=tmp_path, extra_env={**env, "BOT_POSTGRES_PASSWORD": "pw"}
    )
    filled = yaml.safe_load(runtime_endpoints(settings).read_text(encoding="utf-8"))
    store, locks = filled["tracker_store"]["store"], filled["lock_store"]
    assert (store["url"], store["port"], store["db"], store["password"]) == (env["BOT_POSTGRES_HOST"], 5432, "werkwijzer", "pw")
    assert (locks["url"], locks["port"], locks["db"]) == (env["BOT_REDIS_HOST"], 6379, 1)
    assert filled["action_endpoint"]["url"] == env["BOT_ACTION_URL"] + "/webhook"
    assert filled["tracker_store"]["purge_every_minutes"] == 0  # the CronJob purges


def test_retention_runs_as_a_cronjob_with_the_same_image_and_period(rasa_values, scale, kubernetes):
    job = kubernetes["CronJob"]
    container = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    assert container["command"] == ["python", "-m", "bot", "purge"]
    assert container["image"] == image_of(rasa_values)
    env = environment(container["env"])
    assert env["BOT_ENDPOINTS"] == "/app/endpoints.scale.yml"  # retention_days of scale-out ...
    assert scale["tracker_store"]["retention_days"] == rasa_values["applicationSettings"]["endpoints"]["trackerStore"]["retention_days"]
    assert env["BOT_POSTGRES_HOST"] == environment(rasa_values["extraEnv"])["BOT_POSTGRES_HOST"]  # ... same database
    assert len(job["spec"]["schedule"].split()) == 5 and job["spec"]["concurrencyPolicy"] == "Forbid"


def test_every_channel_comes_from_the_credentials_a_deployer_writes(rasa_values):
    helm = rasa_values["applicationSettings"]["credentials"]["additionalChannelCredentials"]
    template = load("deploy/credentials.yml")
    assert set(helm) == set(template) == CHANNELS
    assert helm == template
    for path in CHANNELS:
        module, _, name = path.rpartition(".")
        assert hasattr(getattr(importlib.import_module(module), name), "from_credentials")
    env = environment(rasa_values["extraEnv"])
    from bot.channels.configuration import PLATFORM_CHANNELS

    for channel in PLATFORM_CHANNELS:  # each messaging channel's variables are given
        assert set(channel.required) <= set(env), channel.name


def test_the_ingress_publishes_the_webhooks_and_the_widgets_socket_only(rasa_values):
    ingress = rasa_values["ingress"]
    paths = [ingress["path"]] + [extra["path"] for extra in ingress.get("extraPaths", [])]
    assert sorted(paths) == ["/socket.io/", "/webhooks/"]
    assert all(extra["backend"]["service"]["port"]["name"] == "http" for extra in ingress["extraPaths"])


def test_readiness_waits_for_every_worker_on_the_route_the_rest_channel_serves(rasa_values):
    from rasa.core.channels.channel import register
    from sanic import Sanic

    from bot.channels.rest import SafeRestInput

    path = rasa_values["readinessProbe"]["httpGet"]["path"]
    assert path == "/webhooks/rest/ready"
    app = Sanic("readiness_probe_test")
    register([SafeRestInput.from_credentials({})], app, route="/webhooks/")
    app.router.finalize()
    assert path in {"/" + route.path for route in app.router.routes}


def test_the_rasa_api_token_and_other_secrets_come_only_from_kubernetes_secrets(rasa_values, kubernetes):
    assert rasa_values["command"] == ["python", "-m", "bot", "serve"] and rasa_values["args"] == ["rasa"]
    assert not any("auth-token" in str(part) for part in rasa_values["args"])  # the chart's own args would
    containers = [
        kubernetes["Deployment"]["spec"]["template"]["spec"]["containers"][0],
        kubernetes["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0],
    ]
    for env in [rasa_values["extraEnv"], load("deploy/helm/values.action-server.yaml")["extraEnv"]] + [c["env"] for c in containers]:
        for name, value in environment(env).items():
            if SECRET_NAME.search(name):
                assert isinstance(value, dict) and "secretKeyRef" in value, name


def test_the_web_app_and_action_server_are_scraped_for_metrics(kubernetes):
    web = kubernetes["Deployment"]["spec"]["template"]
    assert web["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
    assert web["spec"]["containers"][0]["command"] == ["python", "-m", "bot", "serve", "webapp"]
    actions = load("deploy/helm/values.action-server.yaml")
    assert actions["podAnnotations"]["prometheus.io/path"] == "/metrics"
    assert (actions["command"], actions["args"]) == (["python", "-m", "bot", "serve"], ["actions"])


def test_compose_runs_the_same_processes_with_the_same_settings_as_kubernetes(compose, rasa_values, kubernetes, scale):
    assert set(compose) == {"postgres", "redis", "rasa", "actions", "webapp"}
    assert [compose[name]["command"] for name in ("rasa", "actions", "webapp")] == [["rasa"], ["actions"], ["webapp"]]
    assert all(compose[name]["build"] == "." for name in ("rasa", "actions", "webapp"))
    assert compose["rasa"]["ports"] == ["5005:5005"] and compose["webapp"]["ports"] == ["8080:8080"]
    rasa = compose["rasa"]["environment"]
    assert rasa["BOT_ENDPOINTS"] == "/app/endpoints.scale.yml" and load("endpoints.scale.yml") == scale
    # every setting the Rasa pods get, the Rasa container gets (but where Kubernetes has its files)
    kubernetes_only = {"BOT_CREDENTIALS", "BOT_ENDPOINTS", "BOT_DATA_DIR", "TICKET_LOCK_LIFETIME",
                       "BOT_POSTGRES_LOGIN_DB", "BOT_REDIS_PREFIX", "BOT_WEB_URL", "BOT_ACTION_URL"}
    assert set(environment(rasa_values["extraEnv"])) - kubernetes_only <= set(rasa)
    assert rasa["BOT_ACTION_URL"] == "http://actions:5055" and compose["actions"]["environment"]["BOT_ACTION_PORT"] == "5055"
    assert rasa["BOT_WEB_URL"] == "http://webapp:8080" and compose["webapp"]["environment"]["BOT_WEB_PORT"] == "8080"
    assert compose["webapp"]["environment"]["BOT_RASA_URL"] == "http://rasa:5005"
    assert rasa["BOT_POSTGRES_HOST"] == "postgres" and rasa["BOT_REDIS_HOST"] == "redis"
    assert set(kubernetes["Deployment"]["spec"]["template"]["spec"]["containers"][0]["command"][-1:]) == {"webapp"}
    for service in compose.values():  # secrets come from .env, never from the file
        for name, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(name):
                assert "${" in str(value), name


def test_the_image_is_python_3_10_slim_non_root_and_trained_with_the_makefile():
    dockerfile = (PROJECT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.10-slim\b", dockerfile, re.M)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^RUN make train\b", dockerfile, re.M)
    assert 'ENTRYPOINT ["python", "-m", "bot", "serve"]' in dockerfile
    ignored = (PROJECT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "models", "var"} <= set(ignored)  # the model is trained in the image, not copied


def test_serve_runs_one_part_as_a_container_would_and_refuses_without_the_shared_tokens(tmp_path):
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.conftest import free_port

    port = free_port()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BOT_DATA_DIR": str(tmp_path), "BOT_WEB_PORT": str(port),
           "BOT_RASA_URL": "http://127.0.0.1:9", "HELPDESK_AGENT_TOKEN": "agent-token-for-tests"}
    refused = subprocess.run([sys.executable, "-m", "bot", "serve", "webapp"], cwd=PROJECT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert refused.returncode == 1 and "RASA_API_TOKEN and HELPDESK_SERVICE_TOKEN" in refused.stderr
    tokens = {"RASA_API_TOKEN": "rasa-token-for-tests-0123", "HELPDESK_SERVICE_TOKEN": "service-token-for-tests"}
    web = subprocess.Popen([sys.executable, "-m", "bot", "serve", "webapp"], cwd=PROJECT, env={**env, **tokens},
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as reply:
                    assert b"werkwijzer_outbox_backlog 0.0" in reply.read()
                    break
            except OSError:
                assert web.poll() is None and time.monotonic() < deadline, "the web app did not start"
                time.sleep(0.2)
    finally:
        web.terminate()
        assert web.wait(timeout=15) == 0  # stops at once on SIGTERM, as a container is stopped


def test_the_retention_cronjobs_command_deletes_old_conversations_in_postgresql(tmp_path, kubernetes):
    """`python -m bot purge` with the CronJob's environment (pointed at the machine's PostgreSQL
    and a throwaway database) deletes the conversations older than the retention period."""
    import json
    import os
    import subprocess
    import sys
    import time
    import uuid

    import psycopg2

    container = kubernetes["CronJob"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]
    name = f"werkwijzer_test_{uuid.uuid4().hex[:10]}"
    env = {
        **{k: v for k, v in environment(container["env"]).items() if isinstance(v, str)},
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "BOT_ENDPOINTS": str(PROJECT / "endpoints.scale.yml"),  # /app/ in the image
        "BOT_DATA_DIR": str(tmp_path),
        "BOT_POSTGRES_HOST": os.environ.get("BOT_POSTGRES_HOST", "127.0.0.1"),
        "BOT_POSTGRES_USER": "postgres",
        "BOT_POSTGRES_DB": name,
        "BOT_POSTGRES_LOGIN_DB": "postgres",
    }
    purge = [sys.executable, *container["command"][1:]]

    def run() -> str:
        done = subprocess.run(purge, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    connect = dict(host=env["BOT_POSTGRES_HOST"], user="postgres")
    try:
        assert "Deleted 0 conversations" in run()  # creates the database and its tables
        now = time.time()
        with psycopg2.connect(dbname=name, **connect) as connection, connection.cursor() as cursor:
            for sender, at in (("old", now - 40 * 86_400), ("recent", now - 86_400)):
                cursor.execute(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (%s, 'user', %s, %s)",
                    (sender, at, json.dumps({"event": "user", "timestamp": at, "text": "hallo"})),
                )
        assert "Deleted 1 conversations (1 events) older than 30 days." in run()
        with psycopg2.connect(dbname=name, **connect) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT DISTINCT sender_id FROM events")
            assert cursor.fetchall() == [("recent",)]
    finally:
        admin = psycopg2.connect(dbname="postgres", **connect)
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()
