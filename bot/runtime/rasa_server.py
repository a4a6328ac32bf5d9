"""`python -m bot.runtime.rasa_server run ...`: Rasa's own `rasa run ...`, with two speed fixes for Rasa 3.6.

1. Rasa 3.6 checks every answer of the action server with `jsonschema.validate`, which first checks
   the (large) event schema itself against the JSON Schema meta-schema: with jsonschema 4.17 that
   is 80-170 ms of CPU per custom-action call on this machine, more than all the rest of a message.
   `install_speedups` makes Rasa check the schema once and reuse the validator: the same schema,
   the same checks of each answer, the same error when an answer is invalid. A valid answer is
   recognised by checking each event only against the event kind its name says
   (`ActionAnswerValidator`), not against all 23 kinds of the schema's `oneOf`.
2. The SQLite tracker store (the embedded default) opened the database file several times per
   message and committed with a rollback journal and a full sync: ~25 ms per commit on this
   machine's disk. Its connections are now kept open in a small pool and use WAL mode with
   `synchronous=NORMAL` (SQLite's advice for WAL): a crash or restart of the process loses
   nothing; only a power cut of the machine may lose the last messages. Set
   `BOT_SQLITE_SYNCHRONOUS=FULL` to sync every commit as well (~6 ms per commit).
3. Starting: Rasa read the trained model's domain (400 KB of YAML) with ruamel.yaml in pure
   Python, four times over and checked against the schema once more: 17 s of the start. It is
   now read once with libyaml and the same YAML 1.2 rules (`bot.content.fast_yaml.rasa_load`); the
   schema check was done when the model was trained from the same domain. skops, which loads the intent
   classifier, is imported before TensorFlow: it looks its types up in every module loaded.
   TensorFlow's optional import of JAX is left out, and freed memory is given back after loading.
4. Every message: the prediction graph is run by `bot.rasa_patches.graph_runner.SequentialGraphRunner` (the
   same nodes in the same order, planned once) instead of building a dask graph for every parse
   and prediction; and the intent classifier's coefficients are kept in the memory order that
   scikit-learn's sparse product reads, instead of copying all of them for every message (~4 ms);
   and the class of each stored event is looked up once per kind, not once per event; and slots
   are copied directly instead of through `copy`'s generic `__reduce_ex__` path; and what Rasa
   passes to its debug logs is deep-copied only when it logs at debug level; and the calls of
   the action server share one HTTP session with kept-alive connections; and the intent
   classifier's feature row is put together directly instead of with copies and scipy stacking;
   and RulePolicy remembers which rules apply to the last few states it has seen.
5. Under load: each worker handles at most `BOT_MESSAGES_AT_ONCE` messages at once (default 4),
   the others wait their turn in order (`MessageAdmission`): the slowest messages no longer wait
   behind every other message at each of their awaits.

README, "Performance and scale", shows what each buys. Nothing else of Rasa changes.
"""

from __future__ import annotations

import asyncio
import atexit
import ctypes
import gc
import json
import logging
import os
import secrets
import sqlite3
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Set, Text, Tuple

from bot.runtime.settings import rasa_environment

_INSTALLED = "_werkwijzer_cached_response_schema"
_SQLITE_SYNCHRONOUS = {"value": "NORMAL"}


def install_speedups(sqlite_synchronous: str = "NORMAL", messages_at_once: int = 0) -> None:
    """Installs the fixes of this module's docstring (SQLite with the given `synchronous`; at most
    `messages_at_once` messages handled at once per worker, 0 for no limit)."""
    # TensorFlow imports JAX, if installed, only to convert JAX models to TensorFlow Lite, which
    # Rasa never does; it goes on without it (65 MB and 0.6 s less per Rasa process).
    if "jax" not in sys.modules:
        sys.modules["jax"] = None  # type: ignore[assignment]  (import jax: ImportError)
    # skops (which loads the intent classifier) looks up hundreds of scikit-learn types in every
    # module loaded so far when it is imported: 2 s before TensorFlow is loaded, 10-15 s after.
    import skops.io  # noqa: F401  (before anything of Rasa's, which loads TensorFlow)

    _install_sqlite_wal(sqlite_synchronous)
    _install_fast_model_loading()
    _install_event_class_lookup()
    _install_fast_slot_copy()
    _install_debug_log_copies()
    _install_kept_alive_endpoint_sessions()
    _install_fast_intent_features()
    _install_rule_index()
    _install_past_states_memory()
    if messages_at_once > 0:
        _install_message_admission(messages_at_once)
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    if getattr(RemoteAction, _INSTALLED, False):
        return
    validator = ActionAnswerValidator(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        error = validator.first_error(result)
        if error is not None:  # as Rasa's own method, which uses jsonschema.validate
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
            )
            raise error
        return True

    RemoteAction._validate_action_result = _validate_action_result
    setattr(RemoteAction, _INSTALLED, True)


class ActionAnswerValidator:
    """Rasa's check of an action server's answer against its JSON schema, with the schema checked
    once (not on every call, as `jsonschema.validate` does), and a valid answer recognised
    quickly: each event of an answer must match exactly one of the schema's 23 event kinds
    (`oneOf`), and jsonschema tried all 23 on every event. Each kind fixes the `event` name
    (`const`, all different), so an event can only match the kind of its name: a valid answer is
    one that passes the schema without the `oneOf` and whose every event passes its own kind.
    Anything else gets jsonschema's full check and its best error, as before."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        import copy

        import jsonschema

        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)  # what jsonschema.validate did on every call, once
        self._full = validator_class(schema)
        self._without_kinds: Any = None
        self._kinds: Dict[Any, Any] = {}
        try:
            events = schema["properties"]["events"]["items"]
            kinds = {kind["properties"]["event"]["const"]: kind for kind in events["oneOf"]}
            named = "event" in events["required"] and len(kinds) == len(events["oneOf"])
        except (KeyError, TypeError):
            named = False
        if named:  # else every answer gets the full check
            without_kinds = copy.deepcopy(schema)
            del without_kinds["properties"]["events"]["items"]["oneOf"]
            self._without_kinds = validator_class(without_kinds)
            self._kinds = {name: validator_class(kind) for name, kind in kinds.items()}

    def first_error(self, answer: Any) -> Any:
        """None for a valid answer, else the error `jsonschema.validate` would raise."""
        import jsonschema

        if self._is_valid_by_kind(answer):
            return None
        return jsonschema.exceptions.best_match(self._full.iter_errors(answer))

    def _is_valid_by_kind(self, answer: Any) -> bool:
        if self._without_kinds is None or not self._without_kinds.is_valid(answer):
            return False
        for event in answer.get("events") or ():
            kind = self._kinds.get(event["event"]) if isinstance(event["event"], str) else None
            if kind is None or not kind.is_valid(event):
                return False
        return True


def _install_fast_model_loading() -> None:
    import numpy as np
    import rasa.core.processor as processor
    from rasa.graph_components.providers.domain_provider import DomainProvider
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
    from rasa.shared.core.domain import Domain

    from bot.content import fast_yaml
    from bot.rasa_patches.graph_runner import SequentialGraphRunner

    if processor.DaskGraphRunner is SequentialGraphRunner:
        return
    processor.DaskGraphRunner = SequentialGraphRunner  # the runner Rasa loads a model with

    load_model = processor.MessageProcessor._load_model  # a staticmethod

    def load_model_and_free_the_rest(model_path: Any) -> Any:
        loaded = load_model(model_path)
        _give_freed_memory_back()  # loading leaves ~15 MB of freed memory in the process
        return loaded

    processor.MessageProcessor._load_model = staticmethod(load_model_and_free_the_rest)

    def load_domain(cls, config, model_storage, resource, execution_context, **kwargs):  # noqa: ARG001
        with model_storage.read_from(resource) as directory:
            text = (directory / "domain.yml").read_text(encoding="utf-8")
        return cls(model_storage, resource, Domain.from_dict(fast_yaml.rasa_load(text)))

    DomainProvider.load = classmethod(load_domain)

    load_classifier = LogisticRegressionClassifier.load.__func__

    def load_classifier_for_prediction(cls, *args, **kwargs):
        component = load_classifier(cls, *args, **kwargs)
        coefficients = getattr(getattr(component, "clf", None), "coef_", None)
        if coefficients is not None:
            component.clf.coef_ = np.asfortranarray(coefficients)  # coef_.T is then C-ordered
        return component

    LogisticRegressionClassifier.load = classmethod(load_classifier_for_prediction)


def _give_freed_memory_back() -> None:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the memory stays with the process until it is reused


def _install_fast_slot_copy() -> None:
    """Rasa copies every slot of the domain each time it makes a tracker (reading a conversation,
    and for every prior state the policies look at), with `copy.copy`, which goes the long way
    through `__reduce_ex__`. A slot gets the `__copy__` that does the same (a new object of its
    class with a shallow copy of its attributes) directly."""
    from rasa.shared.core.slots import Slot

    if "__copy__" in Slot.__dict__:
        return

    def __copy__(self: Slot) -> Slot:
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        return new

    Slot.__copy__ = __copy__  # type: ignore[attr-defined]


def _install_fast_intent_features() -> None:
    """The intent classifier (LogisticRegressionClassifier) builds the row it classifies from the
    sentence features of the two count featurizers with two deep copies and three scipy
    `hstack`/`vstack` calls, ~2 ms for a one-row matrix. The row is now put together directly:
    the same columns in the same order with the same values (float64, as `hstack` made them).
    Messages with dense features (none in this pipeline) go Rasa's way."""
    from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier

    if hasattr(LogisticRegressionClassifier, "rasa_create_X"):
        return
    LogisticRegressionClassifier.rasa_create_X = LogisticRegressionClassifier._create_X
    LogisticRegressionClassifier._create_X = intent_feature_rows


def intent_feature_rows(self: Any, messages: List[Any]) -> Any:
    """`LogisticRegressionClassifier._create_X` without the copies (see above)."""
    import numpy as np
    from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
    from scipy.sparse import csr_matrix

    columns: List[Any] = []
    values: List[Any] = []
    row_ends = [0]
    stored = 0
    width = None
    for message in messages:
        offset = 0
        for features in message.features:
            if features.attribute != TEXT or features.type != FEATURE_TYPE_SENTENCE:
                continue
            if not features.is_sparse() or features.features.shape[0] != 1:
                return self.rasa_create_X(messages)
            matrix = features.features.tocoo()
            columns.append(matrix.col.astype(np.int64) + offset)
            values.append(matrix.data.astype(np.float64))
            stored += len(matrix.data)
            offset += matrix.shape[1]
        if offset == 0 or (width is not None and offset != width):
            return self.rasa_create_X(messages)  # no features, or rows of different widths: Rasa's error
        width = offset
        row_ends.append(stored)
    return csr_matrix(
        (np.concatenate(values), np.concatenate(columns), np.asarray(row_ends)),
        shape=(len(messages), width),
    )


class RuleIndex:
    """The rules of one RulePolicy lookup, ready for finding those that apply to a conversation.

    Rasa's `_get_possible_keys` checks every rule against every state of the conversation, newest
    first (tens of thousands of checks a message, ~10 % of its CPU), parsing each rule's JSON key
    again for every check and going on past the rule's length, where every rule passes. Here each
    rule is parsed once, checked only as far back as it is long, and only the rules whose newest
    state asks for the conversation's last action and intent (or for none) are checked at all:
    a rule that names another action or intent can never pass Rasa's check (`_does_rule_match_state`
    wants them equal). Each remaining check is Rasa's own, so the same rules are found."""

    ANY = None

    def __init__(self, lookup: Dict[Text, Text]) -> None:
        from rasa.shared.core.constants import PREVIOUS_ACTION, USER

        self.lookup = lookup
        self.rules: Dict[Text, List[Any]] = {key: list(reversed(json.loads(key))) for key in lookup}
        self.groups: Dict[Tuple[Any, Any], List[Text]] = {}
        for key, states in self.rules.items():
            newest = states[0] if states else {}
            group = (self._required(newest, PREVIOUS_ACTION, "action_name"), self._required(newest, USER, "intent"))
            self.groups.setdefault(group, []).append(key)

    @staticmethod
    def _required(state: Dict[Text, Any], part: Text, name: Text) -> Any:
        from rasa.shared.core.constants import SHOULD_NOT_BE_SET

        value = (state.get(part) or {}).get(name)
        return value if isinstance(value, str) and value and value != SHOULD_NOT_BE_SET else RuleIndex.ANY

    def candidates(self, newest: Dict[Text, Any]) -> Iterable[Text]:
        """The rules that may apply when the conversation's newest state is `newest`."""
        from rasa.shared.core.constants import PREVIOUS_ACTION, USER

        if not newest.get(PREVIOUS_ACTION):  # a conversation start: Rasa lets any rule's start pass
            return self.rules.keys()
        action = newest[PREVIOUS_ACTION].get("action_name")
        intent = (newest.get(USER) or {}).get("intent")
        found: List[Text] = []
        for group in {(action, intent), (action, self.ANY), (self.ANY, intent), (self.ANY, self.ANY)}:
            found.extend(self.groups.get(group, ()))
        return found

    def possible_keys(self, policy: Any, states: List[Any]) -> Set[Text]:
        """What Rasa's `policy._get_possible_keys(self.lookup, states)` returns."""
        from rasa.shared.core.constants import PREVIOUS_ACTION

        if not states:
            return set(self.lookup)
        newest_first = states[::-1]
        matches = policy._does_rule_match_state
        found = set()
        for key in self.candidates(newest_first[0]):
            for rule_state, state in zip(self.rules[key], newest_first):
                rule_action, action = rule_state.get(PREVIOUS_ACTION), state.get(PREVIOUS_ACTION)
                if not rule_action and not action:
                    continue
                if not rule_action or not action or not matches(rule_state, state):
                    break
            else:
                found.add(key)
        return found


# The attribute of a tracker under which `_install_past_states_memory` keeps its states.
PAST_STATES = "_werkwijzer_past_states"


def _install_past_states_memory() -> None:
    """Every policy turns the whole conversation into states (replaying all its events), and the
    rule policy does so several times per prediction: ~19 % of a message's CPU, growing with the
    conversation. A tracker now remembers the states it gave, for as long as nothing was added to
    its events (the same number of events, the same last event) and for the same domain and
    arguments; each caller gets its own copy of the states and of their parts, which Rasa's
    featurizers change in place (the values inside are strings, numbers and tuples)."""
    from rasa.shared.core.trackers import DialogueStateTracker

    if hasattr(DialogueStateTracker, "rasa_past_states"):
        return
    DialogueStateTracker.rasa_past_states = DialogueStateTracker.past_states

    def past_states(
        self: DialogueStateTracker,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[Any]:
        memory = self.__dict__.setdefault(PAST_STATES, {})
        key = (id(domain), omit_unset_slots, ignore_rule_only_turns, json.dumps(rule_only_data, sort_keys=True))
        last = self.events[-1] if self.events else None
        kept = memory.get(key)
        if kept is None or kept[0] is not domain or kept[1] != len(self.events) or kept[2] is not last:
            states = self.rasa_past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
            kept = memory[key] = (domain, len(self.events), last, states)
        return [{part: dict(features) for part, features in state.items()} for state in kept[3]]

    DialogueStateTracker.past_states = past_states


def _install_rule_index() -> None:
    """Rules found with a `RuleIndex` per lookup, for policies loaded from a trained model (one
    being trained still changes its rules). Rasa's own method stays as `rasa_get_possible_keys`."""
    from rasa.core.policies.rule_policy import RulePolicy

    if hasattr(RulePolicy, "rasa_get_possible_keys"):
        return
    RulePolicy.rasa_get_possible_keys = RulePolicy._get_possible_keys
    load_policy = RulePolicy.load.__func__

    def load(cls, *args: Any, **kwargs: Any) -> Any:
        policy = load_policy(cls, *args, **kwargs)
        policy.rule_indexes = {}
        return policy

    def _get_possible_keys(self: RulePolicy, lookup: Dict[Text, Text], states: List[Any]) -> Set[Text]:
        indexes = getattr(self, "rule_indexes", None)
        if indexes is None:
            return self.rasa_get_possible_keys(lookup, states)
        index = indexes.get(id(lookup))
        if index is None or index.lookup is not lookup:  # a loaded policy's lookups never change
            index = indexes[id(lookup)] = RuleIndex(lookup)
        return index.possible_keys(self, states)

    RulePolicy._get_possible_keys = _get_possible_keys
    RulePolicy.load = classmethod(load)


# Seconds an idle connection to the action server is kept for the next call: below the 5 s after
# which the action server (Sanic) closes it, so a connection the server is closing is never reused.
KEEP_ALIVE_SECONDS = 2.0


def _of_this_loop(made: Dict[Any, Tuple[Any, Any]], key: Any, make: Any, usable: Any = lambda _: True) -> Any:
    """What `make()` gave for this event loop under `key` (made again when it is not `usable`)."""
    loop = asyncio.get_running_loop()
    made_in, thing = made.get((id(loop), key), (None, None))
    if thing is None or made_in is not loop or not usable(thing):  # an id may come back for a new loop
        thing = make()
        made[(id(loop), key)] = (loop, thing)
    return thing


class _KeptSession:
    """What `EndpointConfig.session()` returns: the shared session of this event loop, which
    `async with` does not close."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc: Any) -> None:
        return None


def _install_kept_alive_endpoint_sessions() -> None:
    """Rasa makes a new HTTP session, and so a new TCP connection, for every call of the action
    server. Calls now share one session per event loop (and headers and login), whose idle
    connections are kept `KEEP_ALIVE_SECONDS`; Rasa's request code is unchanged."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.utils.endpoints import EndpointConfig

    if getattr(EndpointConfig.session, "shared", False):
        return
    sessions: Dict[Any, Any] = {}

    def session(self: EndpointConfig) -> Any:
        login = tuple(sorted((self.basic_auth or {}).items()))
        key = (tuple(sorted((self.headers or {}).items())), login)
        shared = _of_this_loop(sessions, key, lambda: aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEP_ALIVE_SECONDS),
            headers=self.headers,
            auth=aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None,
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        ), usable=lambda session: not session.closed)
        return _KeptSession(shared)

    session.shared = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[assignment]

    import rasa.core.run

    close_rasas_resources = rasa.core.run.close_resources

    async def close_resources(app: Any, loop: Any) -> None:
        """Rasa's shutdown, after the sessions made for this worker's loop are closed (else
        aiohttp reports each as an unclosed session, with its connections, as the worker exits)."""
        running = asyncio.get_running_loop()
        for key, (made_in, kept) in list(sessions.items()):
            if made_in is running:
                del sessions[key]
                await kept.close()
        await close_rasas_resources(app, loop)

    rasa.core.run.close_resources = close_resources  # what serve_application registers for after_server_stop


class MessageAdmission:
    """At most `limit` messages handled at once in each event loop; the others wait their turn,
    first come first served, but never longer than `patience` seconds.

    A Rasa worker is one event loop: the CPU work of a message (NLU, policies, store) runs between
    its awaits (the conversation lock, the action server, the store). With 20 messages in
    progress, each await puts a message back behind all the others, so one with three action
    calls waits three times as long as one without, and the slowest messages take several times
    the typical time. Admitted in order, a message waits once, then goes through; the loop still
    has other admitted messages to run while one waits for the action server. Messages of one
    conversation are admitted after they hold its lock (`Agent.handle_message`), so no admitted
    message waits for a lock. A message that has waited `patience` goes in anyway: admitted
    messages stuck on a hanging action server do not stop the worker answering."""

    def __init__(self, limit: int, patience: float = 2.0) -> None:
        self.limit = limit
        self.patience = patience
        self._queues: Dict[Any, Tuple[Any, Any]] = {}

    def _queue(self) -> "_AdmissionQueue":
        return _of_this_loop(self._queues, None, lambda: _AdmissionQueue(asyncio.get_running_loop(), self.limit))

    async def run(self, work: Any) -> Any:
        """Awaits `work()` (a coroutine function) once admitted, or after `patience`."""
        queue = self._queue()
        admitted = await queue.enter(self.patience)
        try:
            return await work()
        finally:
            if admitted:
                queue.leave()


class _AdmissionQueue:
    """The messages in progress and waiting in one event loop (`MessageAdmission`)."""

    def __init__(self, loop: Any, limit: int) -> None:
        from collections import deque

        self.loop = loop
        self.limit = limit
        self.in_progress = 0
        self.waiting: Any = deque()

    async def enter(self, patience: float) -> bool:
        """True when admitted (and so to `leave`), False when it waited `patience` in vain."""
        if self.in_progress < self.limit and not self.waiting:
            self.in_progress += 1
            return True
        turn = self.loop.create_future()
        self.waiting.append(turn)
        try:
            await asyncio.wait((turn,), timeout=patience)
        except BaseException:  # cancelled while waiting: give back a turn already given
            self._give_up(turn)
            raise
        if turn.done():
            return True
        self._give_up(turn)
        return False

    def _give_up(self, turn: Any) -> None:
        if turn.done() and not turn.cancelled():
            self.leave()  # the turn was passed to it: pass it on
        else:
            turn.cancel()
            try:
                self.waiting.remove(turn)
            except ValueError:
                pass

    def leave(self) -> None:
        """A message is done: its turn goes to the first one waiting (in_progress unchanged)."""
        while self.waiting:
            turn = self.waiting.popleft()
            if not turn.done():
                turn.set_result(True)
                return
        self.in_progress -= 1


DEFAULT_MESSAGES_AT_ONCE = 4


def messages_at_once_setting(setting: str) -> int:
    """The value of `BOT_MESSAGES_AT_ONCE`: messages handled at once per worker (0: no limit;
    empty: `DEFAULT_MESSAGES_AT_ONCE`)."""
    if not setting.strip():
        return DEFAULT_MESSAGES_AT_ONCE
    if not setting.strip().isdigit():
        raise ValueError(f"BOT_MESSAGES_AT_ONCE must be a whole number (0 for no limit), not {setting!r}")
    return int(setting)


def _install_message_admission(limit: int, patience: float = 2.0) -> None:
    """`MessageProcessor.handle_message` runs inside a `MessageAdmission` of `limit` per worker."""
    from rasa.core.processor import MessageProcessor

    handle = getattr(MessageProcessor.handle_message, "handle_without_admission", MessageProcessor.handle_message)
    admission = MessageAdmission(limit, patience)

    async def handle_message(self: Any, message: Any) -> Any:
        return await admission.run(lambda: handle(self, message))

    handle_message.handle_without_admission = handle  # type: ignore[attr-defined]
    MessageProcessor.handle_message = handle_message  # type: ignore[assignment]


# Modules of Rasa that use `copy` only to deep-copy what they pass to debug logs
# (`structlogger.debug(..., events=copy.deepcopy(events))`; a test checks this of each).
DEBUG_LOG_COPIERS = (
    "rasa.core.processor",
    "rasa.core.policies.memoization",
    "rasa.core.policies.rule_policy",
    "rasa.core.actions.forms",
)


class CopyForDebugLogs:
    """`copy` for those modules: `deepcopy` copies only when Rasa logs at debug level. Python
    works out a call's arguments before the call, so Rasa deep-copied the events, states and
    slots of every turn for log lines it then dropped: ~5 % of the CPU of a message."""

    def __getattr__(self, name: str) -> Any:
        import copy

        return getattr(copy, name)

    rasa_logger = logging.getLogger("rasa")

    @staticmethod
    def deepcopy(value: Any, memo: Any = None) -> Any:
        import copy

        return copy.deepcopy(value, memo) if CopyForDebugLogs.rasa_logger.isEnabledFor(logging.DEBUG) else value


def _install_debug_log_copies() -> None:
    import importlib

    for name in DEBUG_LOG_COPIERS:
        importlib.import_module(name).copy = CopyForDebugLogs()  # type: ignore[attr-defined]


def _install_event_class_lookup() -> None:
    """Rasa finds the class of every stored event by walking all subclasses of `Event` (with an
    `inspect.isabstract` check for each): 0.1 ms per event, for every event of the conversation
    on every message. The class found for a type name is remembered; what Rasa does with an
    unknown name (None for old `topic` events, the default, or an error) is unchanged."""
    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    rasa_resolve = Event.resolve_by_type
    if getattr(rasa_resolve, "remembers", False):
        return
    known: Dict[Text, Any] = {}

    def resolve_by_type(type_name: Text, default: Any = None) -> Any:
        found = known.get(type_name)
        if found is None:
            found = next(
                (c for c in rasa.shared.utils.common.all_subclasses(Event) if c.type_name == type_name), None
            )
            if found is None:
                return rasa_resolve(type_name, default)
            known[type_name] = found
        return found

    resolve_by_type.remembers = True  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _install_sqlite_wal(synchronous: str) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if synchronous.upper() not in ("NORMAL", "FULL", "EXTRA"):
        raise ValueError(f"BOT_SQLITE_SYNCHRONOUS must be NORMAL, FULL or EXTRA, not {synchronous!r}")
    if event.contains(Engine, "connect", _wal_on_connect):
        return
    _SQLITE_SYNCHRONOUS["value"] = synchronous.upper()
    event.listen(Engine, "connect", _wal_on_connect)
    _keep_sqlite_connections_open()


def _keep_sqlite_connections_open() -> None:
    """SQLAlchemy 1.4 opens a SQLite file anew for every session (NullPool), so every message
    opened and closed the database several times, and each last close checkpoints the WAL (a
    sync). Rasa's SQL tracker store gets a small pool of open connections instead (it uses them
    from the event loop's thread only)."""
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy.pool import QueuePool

    rasa_kwargs = tracker_store.create_engine_kwargs

    def engine_kwargs(url: Any) -> Dict[Text, Any]:
        kwargs = rasa_kwargs(url)
        text = str(url)
        if text.startswith("sqlite") and text not in ("sqlite://", "sqlite:///") and ":memory:" not in text:
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 5)
        return kwargs

    tracker_store.create_engine_kwargs = engine_kwargs


def _wal_on_connect(connection: Any, _record: Any) -> None:
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={_SQLITE_SYNCHRONOUS['value']}")
        cursor.close()


def share_state_between_workers(shared_memory: Optional[Path] = None) -> Optional[str]:
    """Gives this start of the server an id, so that its Sanic workers share state in files in
    shared memory (`bot.stores.shared_state`); removes them when the server stops, and those of servers
    that stopped without removing theirs. Returns the id (None without a shared memory)."""
    from bot.stores import shared_state

    folder = shared_state.SHARED_MEMORY if shared_memory is None else shared_memory
    shared_state.remove_files_of_stopped_servers(folder)
    server_id = f"{os.getpid()}-{secrets.token_hex(4)}"
    if not shared_state.usable(folder):
        return None
    os.environ[shared_state.SERVER_VARIABLE] = server_id
    server = os.getpid()
    atexit.register(lambda: os.getpid() == server and shared_state.remove_files_of(server_id, folder))
    return server_id


def main(argv: Optional[List[str]] = None) -> None:
    """Installs the speed fixes, then runs Rasa's command line with the given arguments, the API
    token added from the environment (`bot.runtime.api_token`), `/metrics` served."""
    from bot.runtime import metrics
    from bot.runtime.api_token import with_api_token

    arguments = with_api_token(list(sys.argv[1:] if argv is None else argv), os.environ)
    for name, value in rasa_environment().items():
        os.environ[name] = value  # no telemetry unless RASA_TELEMETRY_ENABLED says so
    install_speedups(os.environ.get("BOT_SQLITE_SYNCHRONOUS", "NORMAL"),
                     messages_at_once_setting(os.environ.get("BOT_MESSAGES_AT_ONCE", "")))
    server_id = share_state_between_workers()
    metrics.serve_from_rasa_server(server_id or str(os.getpid()))
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]  # this process's copy: /proc/<pid>/cmdline keeps what exec got
    rasa_main()


if __name__ == "__main__":
    main()
