"""A generated corpus of bad input for every inbound path.

Two kinds of case:
- `BadText`: a message text a user could send on any channel (empty, 1 MB, control characters,
  lone surrogates, mixed scripts, RTL and zero-width marks, emoji, HTML and script, template
  syntax, `/intent{...}` injections). A channel's test wraps it in that channel's envelope.
- `BadBody`: a raw request to a JSON webhook (malformed JSON, wrong types, wrong content types,
  huge or odd sender ids), built from the channel's envelope.

Adding an inbound path is one line in `tests/test_bad_input.py`'s `INBOUND_PATHS`: a name, a
function that sends one request, and the channel's envelope.
The corpus is deterministic (seeded), so a failure can be replayed.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

SEED = 8
MEGABYTE = 1_048_576

# Marks that change how text is shown without being visible.
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
BIDI = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2069"]
CONTROL = [chr(code) for code in list(range(0, 32)) + [127] + list(range(0x80, 0xA0))]
SURROGATES = ["\ud800", "\udbff", "\udc00", "\udfff"]
SCRIPTS = [
    "Mag ik werken?", "Can I work?", "هل يمكنني العمل؟", "Чи можу я працювати?", "ክሰርሕ ይኽእል ዶ?",
    "آیا می‌توانم کار کنم؟", "Çalışabilir miyim?", "Ma shaqayn karaa?", "我可以工作吗？", "काम कर सकता हूँ?",
    "תוכל לעזור?", "Ἐργάζομαι;",
]
EMOJI = ["👍", "🙏🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇳🇱", "❤️", "😀" * 50, "\U0001f9d1\u200d\U0001f527"]
MARKUP = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<b>vet</b>", "</div><iframe src=//x>",
    "javascript:alert(1)", "<svg/onload=alert(1)>", "&lt;script&gt;", "<!--", "]]>", "<?xml?>",
    "' OR 1=1 --", "\"; DROP TABLE events; --", "${jndi:ldap://x/a}", "$(rm -rf /)", "`id`",
    "../../etc/passwd", "%00", "%s%s%s%n", "\\x00\\u0000", "\\", "\"", "'",
]
TEMPLATES = [
    "{slot}", "{language}", "{{x}}", "{{ language }}", "{0}", "{months}", "{0.__class__}",
    "{language!r}", "%(language)s", "${language}", "{% if %}", "[text](link)", "[nl](language)",
    '[nl]{"entity": "language"}', "{}", "{{", "}}", "{", "}",
]
# `/intent{...}` syntax: each tries to trigger an action or set a slot without a button.
INJECTIONS = [
    "/restart", "/session_start", "/action_restart", "/greet", "/ask_asylum_work{\"language\":\"en\"}",
    '/greet{"language":"en"}', '/choose_language{"language":"xx"}', '/choose_language{"language":"en","x":1}',
    '/choose_language{"language": "en"}', '/request_human{"language":"en"}', '/nlu_fallback',
    "/out_of_scope", "//ask_asylum_work", " /restart", "/restart\n/restart", "/RESTART", "/restart{}",
    '/inform{"language":"en"}', '/ask_employer_subsidy{"language":"en"}', "/action_listen",
    "/utter_goodbye", "/action_session_start", '/greet{"requested_slot":"language"}',
    '/greet[{"entity":"language","value":"en"}]', '/greet@0.99{"language":"en"}', "/greet@1.0",
    "/\u200brestart", "\u200e/restart", "/restart\x00", "／restart", "/" * 100,
]


@dataclass(frozen=True)
class BadText:
    """A bad message text; `injection` marks text that tries to set a slot or trigger an action."""

    kind: str
    text: str
    injection: bool = False


@dataclass(frozen=True)
class BadBody:
    """A raw request body with its content type."""

    kind: str
    body: bytes
    content_type: str = "application/json"


def _mix(rng: random.Random, parts: List[str], count: int) -> str:
    return "".join(rng.choice(parts) for _ in range(count))


def texts(seed: int = SEED) -> List[BadText]:
    """About 900 bad texts."""
    rng = random.Random(seed)
    cases: List[BadText] = [
        BadText("empty", ""), BadText("whitespace", " "), BadText("whitespace", "\t\n \r\n"),
        BadText("whitespace", "\u00a0\u2003\u3000"), BadText("long", "a" * MEGABYTE),
        BadText("long", "werk " * 400), BadText("long", "ж" * 2000), BadText("long", "ж" * 2001),
        BadText("long", "👍" * 2001), BadText("long", "\u200b" * 5000 + "hoi"),
    ]
    cases += [BadText("control", ch + "Mag ik werken?" + ch) for ch in CONTROL]
    cases += [BadText("control", _mix(rng, CONTROL, 20)) for _ in range(20)]
    cases += [BadText("surrogate", s + "hallo" + s) for s in SURROGATES]
    cases += [BadText("surrogate", _mix(rng, SURROGATES + ["a", "é"], 12)) for _ in range(20)]
    cases += [BadText("script", text) for text in SCRIPTS]
    cases += [BadText("mixed-script", _mix(rng, SCRIPTS + EMOJI, 3)) for _ in range(60)]
    cases += [BadText("bidi", mark + text + mark) for mark in BIDI for text in SCRIPTS[:4]]
    cases += [BadText("zero-width", mark.join("Mag ik werken?")) for mark in ZERO_WIDTH]
    cases += [BadText("zero-width", _mix(rng, ZERO_WIDTH + BIDI, 30)) for _ in range(20)]
    cases += [BadText("emoji", e) for e in EMOJI]
    cases += [BadText("emoji", _mix(rng, EMOJI, 5)) for _ in range(20)]
    cases += [BadText("markup", m) for m in MARKUP]
    cases += [BadText("markup", rng.choice(MARKUP) + " " + rng.choice(SCRIPTS)) for _ in range(40)]
    cases += [BadText("template", t) for t in TEMPLATES]
    cases += [BadText("template", rng.choice(SCRIPTS) + " " + rng.choice(TEMPLATES)) for _ in range(40)]
    cases += [BadText("injection", i, injection=True) for i in INJECTIONS]
    cases += [
        BadText("injection", rng.choice(INJECTIONS) + rng.choice(["", " ", "?", "!", rng.choice(TEMPLATES)]), True)
        for _ in range(120)
    ]
    alphabet = [chr(rng.randrange(0x20, 0x3000)) for _ in range(400)] + ZERO_WIDTH + BIDI + CONTROL
    cases += [BadText("random", _mix(rng, alphabet, rng.randrange(1, 300))) for _ in range(360)]
    return cases


def bodies(envelope: Callable[[Any, Any], Dict[str, Any]], seed: int = SEED) -> List[BadBody]:
    """About 150 bad requests for a JSON webhook whose envelope is `envelope(sender, text)`."""
    rng = random.Random(seed)
    good = json.dumps(envelope("bad-input", "Mag ik werken?")).encode()
    cases = [
        BadBody("no body", b""), BadBody("not json", b"not json"), BadBody("json null", b"null"),
        BadBody("json list", b"[]"), BadBody("json string", b'"hi"'), BadBody("json number", b"42"),
        BadBody("truncated", good[: len(good) // 2]), BadBody("trailing", good + b"}"),
        BadBody("nan", b'{"sender": NaN, "message": NaN}'), BadBody("bom", b"\xef\xbb\xbf" + good),
        BadBody("latin-1", "{\"sender\": \"é\", \"message\": \"café\"}".encode("latin-1")),
        BadBody("invalid utf-8", b'{"sender": "\xff\xfe", "message": "\xc3\x28"}'),
        BadBody("utf-16", good.decode().encode("utf-16")),
        BadBody("deep nesting", b"[" * 100_000 + b"]" * 100_000),
        BadBody("deep object", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
        BadBody("huge number", b'{"sender": "x", "message": ' + b"9" * 5000 + b"}"),
        BadBody("duplicate keys", b'{"sender": "x", "message": "hi", "message": "/restart"}'),
        BadBody("1 MB body", json.dumps(envelope("x", "a" * MEGABYTE)).encode()),
        BadBody("2 MB body", b" " * (2 * MEGABYTE) + good),
        BadBody("binary", bytes(rng.randrange(256) for _ in range(2048))),
    ]
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                         "application/xml", "", "application/json; charset=latin-1", "image/png"):
        cases.append(BadBody(f"content type {content_type!r}", good, content_type))
    cases.append(BadBody("form body", b"sender=x&message=hi", "application/x-www-form-urlencoded"))
    odd_values: List[Any] = [None, True, 0, -1, 1.5, [], {}, ["hi"], {"text": "hi"}, "", " ", "\x00"]
    for value in odd_values:
        cases.append(BadBody(f"message {value!r}", json.dumps(envelope("x", value)).encode()))
        cases.append(BadBody(f"sender {value!r}", json.dumps(envelope(value, "hi")).encode()))
    senders = [
        "x" * 129, "x" * 10_000, "x" * (MEGABYTE // 2), "\u202e" * 10, "../../etc/passwd", "' OR 1=1 --",
        "👍" * 64, "\x00", "\ud800", "a\nb", "<script>", "{sender}", "%s", " ", "default", "null",
    ]
    for sender in senders:
        cases.append(BadBody(f"sender {sender[:12]!r}", json.dumps(envelope(sender, "Mag ik werken?")).encode()))
    for _ in range(60):
        envelope_value = envelope(rng.choice(senders), rng.choice(odd_values + ["hallo"]))
        keys = list(envelope_value)
        if keys and rng.random() < 0.5:
            envelope_value.pop(rng.choice(keys))
        if rng.random() < 0.3:
            envelope_value["metadata"] = rng.choice(odd_values)
        cases.append(BadBody("random envelope", json.dumps(envelope_value).encode()))
    return cases


def rest_envelope(sender: Any, text: Any) -> Dict[str, Any]:
    """The REST channel's request body."""
    return {"sender": sender, "message": text}


def expected_clean(text: str) -> Optional[str]:
    """What is left of a text when invisible and control characters are taken away (None: nothing)."""
    visible = "".join(
        ch for ch in text
        if ch.isprintable() and not ch.isspace() and ch not in ZERO_WIDTH + BIDI and not 0xD800 <= ord(ch) <= 0xDFFF
    )
    return visible or None
