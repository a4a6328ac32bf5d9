"""The Rasa patches (bot/rasa_patches) change no behaviour: each is compared with Rasa's own.

The patches are installed for this module only and undone after it (`Patched`), so other test
modules see plain Rasa; the model comparisons run Rasa's side with the patches undone.
"""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Iterator

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches
from bot.rasa_patches.action_answer_check import ActionAnswerValidator
from bot.rasa_patches.message_admission import MessageAdmission

pytestmark = pytest.mark.model


class Patched:
    """The patches installed, with a way to run code on plain Rasa for a moment."""

    def __init__(self) -> None:
        self.replacements = rasa_patches.install()

    @contextmanager
    def off(self) -> Iterator[None]:
        self.replacements.undo()
        try:
            yield
        finally:
            self.replacements = rasa_patches.install()

    def undo(self) -> None:
        self.replacements.undo()


@pytest.fixture(scope="module", autouse=True)
def patched() -> Iterator[Patched]:
    installed = Patched()
    yield installed
    installed.undo()


@pytest.fixture(scope="module")
def action(patched) -> RemoteAction:
    return RemoteAction("action_answer_topic", None)


def test_a_valid_action_answer_is_accepted(action):
    answer = {"events": [{"event": "slot", "name": "language", "value": "nl"}], "responses": [{"text": "Hallo"}]}
    assert action._validate_action_result(answer)


@pytest.mark.parametrize(
    "answer",
    [
        {"events": [{"event": "slot", "name": 42}]},
        {"events": "not a list"},
        {"responses": [42]},
    ],
)
def test_an_invalid_action_answer_is_refused_as_rasa_refuses_it(action, answer):
    with pytest.raises(jsonschema.ValidationError) as cached:
        action._validate_action_result(answer)
    with pytest.raises(jsonschema.ValidationError) as plain:
        jsonschema.validate(answer, RemoteAction.action_response_format_spec())
    assert cached.value.message.startswith(plain.value.message)
    assert "Failed to validate Action server response" in cached.value.message


def test_the_fast_yaml_reader_reads_the_trained_domain_as_rasa_does(trained_model_domain_text):
    from rasa.shared.utils.io import read_yaml

    from bot.content import fast_yaml

    assert fast_yaml.rasa_load(trained_model_domain_text) == read_yaml(trained_model_domain_text)


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\nb: no\nc: on\nd: off\ne: y\n",  # text in YAML 1.2, booleans in PyYAML's 1.1
        "a: 012\nb: 0o17\nc: 0x1F\nd: 1_000\ne: -3\nf: +1\n",
        "a: 1e3\nb: .5\nc: 1.5e-3\nd: .inf\ne: -.inf\nf: 1:20\n",
        "a: ~\nb: null\nc:\nd: 'true'\ne: True\nf: FALSE\n",
        "a: 2026-01-01\nb: 2026-01-01 10:00:00\nc: 2026-1-1\n",
        'a: "\\ud83d\\udc4d"\nb: "caf\\u00e9"\n',  # all ASCII: escaped emoji, as Rasa writes them
        "a: مرحبا\nb: ሰላም\nc: 👍\n",
        "- [1, two, {three: 3}]\n- &x {k: v}\n- *x\n",
    ],
)
def test_the_fast_yaml_reader_gives_what_rasa_reads(text):
    from rasa.shared.utils.io import read_yaml

    from bot.content import fast_yaml

    fast, rasa = fast_yaml.rasa_load(text), read_yaml(text)
    assert fast == rasa
    assert repr(fast) == repr(dict(rasa) if isinstance(rasa, dict) else list(rasa))  # same types


@pytest.fixture(scope="module")
def trained_model(project, tmp_path_factory, patched):
    """The trained model, loaded twice: as plain Rasa loads it (dask runner, Rasa's domain reader
    and classifier) and as the patched Rasa server does (with the sequential runner)."""
    from rasa.engine import loader
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage
    from rasa.model import get_latest_model

    from bot.rasa_patches.graph_runner import SequentialGraphRunner

    archive = get_latest_model(str(project / "models"))
    assert archive, "make test trains the model first"
    loaded = {}
    for runner in (DaskGraphRunner, SequentialGraphRunner):
        with patched.off() if runner is DaskGraphRunner else nullcontext():
            loaded[runner.__name__] = loader.load_predict_graph_runner(
                tmp_path_factory.mktemp(runner.__name__), Path(archive), LocalModelStorage, runner
            )
    return loaded


def run_plain_and_patched(trained_model, patched, run):
    """`run(metadata, runner)` on the plain model with the patches undone, then on the patched one."""
    (plain_metadata, plain), (metadata, runner) = trained_model.values()
    with patched.off():
        expected = run(plain_metadata, plain)
    return expected, run(metadata, runner)


@pytest.fixture(scope="module")
def trained_model_domain_text(trained_model, project):
    import tarfile

    from rasa.model import get_latest_model

    with tarfile.open(get_latest_model(str(project / "models"))) as archive:
        member = next(m for m in archive.getmembers() if m.name.endswith("domain_provider/domain.yml"))
        return archive.extractfile(member).read().decode("utf-8")


@pytest.mark.parametrize("text", ["Mag ik werken als asielzoeker?", "hello", "ok", "بالعربي", "ሰላም", "/greet", ""])
def test_the_sequential_runner_parses_as_dask_does(trained_model, patched, text):
    """The patched model parses as plain Rasa does (runner, classifier, features all patched)."""
    from rasa.core.channels.channel import UserMessage

    def parse(metadata, runner):
        result = runner.run({"__message__": [UserMessage(text, sender_id="t")]}, [metadata.nlu_target])
        return [message.as_dict(only_output_properties=True) for message in result[metadata.nlu_target]]

    plain, patched_answer = run_plain_and_patched(trained_model, patched, parse)
    assert plain == patched_answer
    assert plain[0]["intent"]["name"]


def test_the_sequential_runner_predicts_as_dask_does(trained_model, patched):
    from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    def predict(metadata, runner):
        tracker = DialogueStateTracker.from_events("t", [
            ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
            UserUttered("hallo", {"name": "greet", "confidence": 1.0}),
        ], slots=metadata.domain.slots)
        prediction = runner.run({"__tracker__": tracker}, [metadata.core_target])[metadata.core_target]
        return prediction.max_confidence_index, prediction.policy_name, prediction.probabilities

    plain, patched_prediction = run_plain_and_patched(trained_model, patched, predict)
    assert plain == patched_prediction
    assert plain[2][plain[0]] > 0.5


def test_the_model_loads_with_the_domain_rasa_would_read(trained_model):
    (dask_metadata, dask), (fast_metadata, fast) = trained_model.values()
    slow_domain = dask._instantiated_nodes["domain_provider"]._component._domain
    fast_domain = fast._instantiated_nodes["domain_provider"]._component._domain
    assert fast_domain.as_dict() == slow_domain.as_dict()


async def test_action_calls_share_one_kept_alive_connection_and_survive_a_server_restart():
    """Rasa opened a new session and TCP connection for every action call; the calls now reuse
    one, and a call after the server restarted (its connections closed) gets a new one."""
    import asyncio

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot.tools.bench.assistants import free_port

    peers = []

    async def webhook(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peername"))
        return web.json_response({"events": [], "responses": []})

    async def start(port: int) -> web.AppRunner:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    port = free_port()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    runner = await start(port)
    for _ in range(3):
        assert await endpoint.request(json={"next_action": "action_answer_topic"}) == {"events": [], "responses": []}
    assert len(peers) == 3 and len(set(peers)) == 1
    await runner.cleanup()  # the action server stops (and closes its connections), then starts again
    await asyncio.sleep(0.1)
    runner = await start(port)
    try:
        assert await endpoint.request(json={}) == {"events": [], "responses": []}
        assert len(set(peers)) == 2
    finally:
        await runner.cleanup()


def _component(trained_model, kind, loaded_with="SequentialGraphRunner"):
    _, runner = trained_model[loaded_with]
    return next(n._component for n in runner._instantiated_nodes.values() if type(n._component).__name__ == kind)


def test_the_intent_classifier_gets_the_feature_rows_rasa_built(trained_model, project):
    from rasa.core.channels.channel import UserMessage

    from bot.tools.bench.conversations import examples_by_language

    metadata, runner = trained_model["SequentialGraphRunner"]
    texts = [t for intents in examples_by_language(project).values() for ts in intents.values() for t in ts[:2]]
    texts += ["", "👍", "TWV", "1234", "ok ok ok ok"]
    parsed = [
        runner.run({"__message__": [UserMessage(text, sender_id="t")]}, ["run_CountVectorsFeaturizer3"])
        ["run_CountVectorsFeaturizer3"][0]
        for text in texts
    ]
    classifier = _component(trained_model, "LogisticRegressionClassifier")
    for batch in ([m] for m in parsed):
        ours, rasas = classifier._create_X(batch), classifier.rasa_create_X(batch)
        assert ours.shape == rasas.shape and ours.dtype == rasas.dtype
        assert (ours != rasas).nnz == 0
    ours, rasas = classifier._create_X(parsed), classifier.rasa_create_X(parsed)  # many rows at once
    assert ours.shape == rasas.shape == (len(texts), rasas.shape[1]) and (ours != rasas).nnz == 0


def test_the_rule_policy_finds_the_rules_rasa_finds_with_its_index(trained_model, project):
    """Every prefix of every conversation test (tests/conversations) and of the training rules,
    as the rules see it and with the last user input as text: the rules that apply, found with
    the index and by Rasa."""
    from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    metadata, _ = trained_model["SequentialGraphRunner"]
    domain = metadata.domain
    policy = _component(trained_model, "RulePolicy")
    rule_only_data = policy._get_rule_only_data()
    assert policy.rule_indexes is not None  # a loaded policy indexes its rules
    steps = []
    files = sorted((project / "tests" / "conversations").glob("*.yml")) + sorted((project / "data" / "rules").glob("*.yml"))
    for path in files:
        for story in YAMLStoryReader(domain).read_from_file(str(path)):
            events = [e for step in story.story_steps for e in step.events] if hasattr(story, "story_steps") else story.events
            tracker = DialogueStateTracker.from_events("t", [], slots=domain.slots)
            for event in events:
                if isinstance(event, UserUttered) and not event.intent_name:
                    continue
                tracker.update(event)
                if isinstance(event, (UserUttered, ActionExecuted)):
                    for as_text in (False, True):
                        steps.append(policy._prediction_states(tracker, domain, as_text, rule_only_data=rule_only_data))
    assert len(steps) > 200
    found = 0
    for lookup in (policy.lookup[RULES], policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]):
        for states in steps:
            expected = policy.rasa_get_possible_keys(lookup, states)
            assert policy._get_possible_keys(lookup, states) == expected
            found += len(expected)
    assert found > 100  # rules were found, not only none
    assert {id(policy.lookup[RULES]), id(policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH])} <= set(policy.rule_indexes)


_EVENT = st.fixed_dictionaries(
    {"event": st.sampled_from(["slot", "bot", "action", "user", "active_loop", "followup", "reminder", "nonsense", ""])},
    optional={
        "name": st.one_of(st.text(max_size=5), st.integers(), st.none()),
        "value": st.one_of(st.text(max_size=5), st.integers(), st.none(), st.lists(st.integers(), max_size=2)),
        "text": st.one_of(st.text(max_size=5), st.none(), st.integers()),
        "timestamp": st.one_of(st.floats(allow_nan=False), st.none(), st.text(max_size=2)),
        "metadata": st.one_of(st.dictionaries(st.text(max_size=3), st.integers(), max_size=2), st.none(), st.integers()),
        "intent": st.one_of(st.dictionaries(st.sampled_from(["name", "confidence"]), st.integers(), max_size=2), st.text(max_size=2)),
        "policy": st.one_of(st.text(max_size=3), st.none()),
        "confidence": st.one_of(st.floats(allow_nan=False), st.none(), st.text(max_size=2)),
        "data": st.one_of(st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2), st.none()),
    },
)
_ANSWER = st.fixed_dictionaries(
    {},
    optional={
        "events": st.one_of(st.lists(st.one_of(_EVENT, st.integers(), st.text(max_size=3)), max_size=4), st.text(max_size=3)),
        "responses": st.one_of(st.lists(st.one_of(st.dictionaries(st.sampled_from(["text", "buttons"]), st.text(max_size=3)), st.integers()), max_size=3), st.none()),
    },
)


@settings(max_examples=600, deadline=None)
@given(answer=_ANSWER)
def test_action_answers_are_accepted_and_refused_as_jsonschema_does(action, answer):
    """The quick check of a valid answer accepts exactly what jsonschema accepts, and a refused
    answer gets jsonschema's own best error."""
    schema = RemoteAction.action_response_format_spec()
    validator = ActionAnswerValidator(schema)
    expected = jsonschema.exceptions.best_match(jsonschema.validators.validator_for(schema)(schema).iter_errors(answer))
    found = validator.first_error(answer)
    assert (found is None) == (expected is None)
    if expected is not None:
        assert found.message == expected.message and list(found.path) == list(expected.path)


def test_the_quick_check_is_used_for_the_answers_the_actions_give(action):
    validator = ActionAnswerValidator(RemoteAction.action_response_format_spec())
    answer = {"events": [{"event": "slot", "name": "language", "value": "nl", "timestamp": None},
                         {"event": "active_loop", "name": None}, {"event": "followup", "name": "x"}],
              "responses": [{"text": "Hallo", "buttons": [{"title": "a", "payload": "/b"}]}]}
    assert validator._is_valid_by_kind(answer) and validator.first_error(answer) is None


def test_messages_beyond_the_limit_wait_their_turn_and_all_are_answered(monkeypatch):
    import asyncio

    from rasa.core.processor import MessageProcessor

    from bot.rasa_patches import message_admission
    from bot.rasa_patches.replacements import Replacements

    inside, most_inside, started = [0], [0], []

    async def handle(self, message):
        started.append(message)
        inside[0] += 1
        most_inside[0] = max(most_inside[0], inside[0])
        await asyncio.sleep(0.01)  # an action-server call: another admitted message may run
        await asyncio.sleep(0)
        inside[0] -= 1
        return [{"text": f"answer to {message}"}]

    monkeypatch.setattr(MessageProcessor, "handle_message", handle)
    admitted = Replacements()
    message_admission.install(admitted, rasa_patches.PatchSettings(messages_at_once=2))

    async def twelve_at_once():
        return await asyncio.gather(*(MessageProcessor.handle_message(None, n) for n in range(12)))

    answers = asyncio.run(twelve_at_once())
    assert answers == [[{"text": f"answer to {n}"}] for n in range(12)]
    assert most_inside[0] == 2
    assert started == list(range(12))  # first come, first served
    admitted.undo()
    assert MessageProcessor.handle_message is handle


def test_a_message_waits_no_longer_than_its_patience_behind_hanging_ones():
    import asyncio

    admission = MessageAdmission(limit=1, patience=0.05)

    async def scenario():
        never = asyncio.Event()
        hanging = asyncio.ensure_future(admission.run(never.wait))  # an action server that never answers
        await asyncio.sleep(0)
        answer = await asyncio.wait_for(admission.run(lambda: asyncio.sleep(0, result="answered")), 5)
        hanging.cancel()
        return answer

    assert asyncio.run(scenario()) == "answered"


def test_a_message_given_up_while_waiting_does_not_keep_a_turn():
    import asyncio

    admission = MessageAdmission(limit=1, patience=30)
    order = []

    async def work(name, seconds):
        order.append(name)
        await asyncio.sleep(seconds)
        return name

    async def scenario():
        first = asyncio.ensure_future(admission.run(lambda: work("first", 0.05)))
        await asyncio.sleep(0)
        gone = asyncio.ensure_future(admission.run(lambda: work("gone", 0)))  # its client left
        third = asyncio.ensure_future(admission.run(lambda: work("third", 0)))
        await asyncio.sleep(0.01)
        gone.cancel()
        results = await asyncio.gather(first, third)
        later = await asyncio.wait_for(admission.run(lambda: work("later", 0)), 1)
        return results, later, admission._queue().in_progress

    results, later, in_progress = asyncio.run(scenario())
    assert results == ["first", "third"] and later == "later"
    assert order == ["first", "third", "later"]
    assert in_progress == 0


async def test_the_kept_alive_sessions_are_closed_when_the_server_stops():
    """Rasa's after_server_stop listener now also closes this loop's action-server session, so a
    stopping worker leaves no unclosed session or connection behind."""
    from types import SimpleNamespace

    import rasa.core.run
    from rasa.utils.endpoints import EndpointConfig

    async with EndpointConfig("http://127.0.0.1:9/webhook").session() as session:
        assert not session.closed
    assert not session.closed  # kept between calls
    app = SimpleNamespace(ctx=SimpleNamespace(agent=None))  # what the listener gets from Sanic
    await rasa.core.run.close_resources(app, None)
    assert session.closed
    async with EndpointConfig("http://127.0.0.1:9/webhook").session() as again:
        assert again is not session and not again.closed  # a later call still gets a session
    await again.close()


def test_the_classifier_keeps_its_coefficients_in_product_order(trained_model):
    plain = _component(trained_model, "LogisticRegressionClassifier", "DaskGraphRunner")
    patched = _component(trained_model, "LogisticRegressionClassifier")
    assert patched.clf.coef_.T.flags["C_CONTIGUOUS"] and not plain.clf.coef_.T.flags["C_CONTIGUOUS"]
    assert (patched.clf.coef_ == plain.clf.coef_).all()


def test_events_resolve_to_the_classes_rasa_finds(patched):
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event, UserUttered

    names = [c.type_name for c in rasa.shared.utils.common.all_subclasses(Event) if hasattr(c, "type_name")]
    names += ["topic", "no such event"]
    found = {name: Event.resolve_by_type(name, default=UserUttered) for name in names}
    found_again = {name: Event.resolve_by_type(name, default=UserUttered) for name in names}
    with patched.off():
        expected = {name: Event.resolve_by_type(name, default=UserUttered) for name in names}
    assert found == found_again == expected
    assert expected["user"] is UserUttered and expected["no such event"] is UserUttered


async def test_the_sqlite_store_is_kept_open_in_wal_mode(tmp_path, patched):
    """With the patch a SQLite tracker store keeps a pool of open connections in WAL mode;
    without it, Rasa's (NullPool, rollback journal)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from sqlalchemy.pool import NullPool, QueuePool

    def journal(store: SQLTrackerStore) -> str:
        with store.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA journal_mode").scalar()

    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "patched.db"))
    assert isinstance(store.engine.pool, QueuePool) and journal(store) == "wal"
    with patched.off():
        plain = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(tmp_path / "plain.db"))
        assert isinstance(plain.engine.pool, NullPool) and journal(plain) == "delete"
