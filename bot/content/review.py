"""Which texts a native speaker has reviewed: per text, not per file.

A translation file lists, in `meta.reviewed`, the texts that a reviewer approved, each with the
fingerprint of the Dutch source it was approved against:

    meta:
      reviewed:
        responses.utter_greet: 5d41402abc4b

A text counts as reviewed only while that fingerprint still matches the Dutch source: when the
source changes, every translation of it is unreviewed again until someone looks at it (what
gettext tools call "fuzzy"). The Dutch file is the source and always counts as reviewed.

A *text* is one entry of a top-level block of a translation file (`widget.title`,
`responses.utter_greet`), with every string in it: a response's text and its button titles.
Button payloads are not texts: they must be the same in every language.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, Iterator, List, Mapping, Tuple

META = "meta"
REVIEWED = "reviewed"
# Keys whose values are identifiers, not words: never translated, never exported.
NOT_TEXT = frozenset({"payload"})

Path_ = Tuple[Any, ...]  # a path inside one text: ("text",), ("buttons", 0, "title"), ()


def _strings(value: Any, path: Path_ = ()) -> Iterator[Tuple[Path_, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in NOT_TEXT:
                yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def texts(data: Mapping[str, Any]) -> Dict[str, List[Tuple[Path_, str]]]:
    """Every text of a translation file: `block.key` → its strings with their paths."""
    found: Dict[str, List[Tuple[Path_, str]]] = {}
    for block, entries in data.items():
        if block == META or not isinstance(entries, Mapping):
            continue
        for key, value in entries.items():
            found[f"{block}.{key}"] = list(_strings(value))
    return found


def fingerprint(strings: List[Tuple[Path_, str]]) -> str:
    """A short hash of a source text's strings: changes whenever any of them changes."""
    digest = hashlib.sha256()
    for path, string in strings:
        digest.update(repr(path).encode("utf-8") + b"\0" + string.encode("utf-8") + b"\0")
    return digest.hexdigest()[:12]


def source_fingerprints(source: Mapping[str, Any]) -> Dict[str, str]:
    return {text_id: fingerprint(strings) for text_id, strings in texts(source).items()}


def reviewed_marks(data: Mapping[str, Any]) -> Dict[str, str]:
    return dict((data.get(META) or {}).get(REVIEWED) or {})


def review_status(source: Mapping[str, Any], data: Mapping[str, Any], is_source: bool) -> Dict[str, bool]:
    """text id → reviewed? for every text the file has."""
    if is_source:
        return {text_id: True for text_id in texts(data)}
    current = source_fingerprints(source)
    marks = reviewed_marks(data)
    return {text_id: marks.get(text_id) == current.get(text_id) for text_id in texts(data)}
