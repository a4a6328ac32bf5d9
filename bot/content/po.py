"""Translators and reviewers in their own tools: the texts as gettext PO files, and back.

`python -m bot po export` writes one PO file per language (and a POT template) that Weblate,
Crowdin and Poedit read: each entry is one string of one text, with

- `msgctxt` the text's place in the translation file (`responses.utter_greet.text`,
  `responses.utter_greet.buttons.0.title`, `widget.title`),
- `msgid` the Dutch source, `msgstr` the translation,
- the flag `fuzzy` while the text is not reviewed by a native speaker (bot/content/review.py), and
  `python-brace-format` plus a note for texts with placeholders that must stay as they are.

`python -m bot po import FILE.po` writes a reviewed or corrected file back into
`translations/<lang>.yml`, keeping the file's layout and comments. It refuses the whole file, and
writes nothing, when an entry's Dutch source has changed since the export, when an entry names a
text that does not exist, or when a changed text fails the checks of bot/content/text_checks.py
(placeholders, links, numbers, button payloads, length). An entry without the `fuzzy` flag marks
its text reviewed against the Dutch source of that moment; a `fuzzy` entry marks it unreviewed.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

import polib
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

from bot.content import review, text_checks
from bot.content.translations import DEFAULT_LANGUAGE, Button, Text, with_direction

FUZZY = "fuzzy"
BRACE_FORMAT = "python-brace-format"
TEMPLATE_NAME = "werkwijzer.pot"


class ImportRefused(ValueError):
    """A PO file that cannot be imported; nothing was written. `problems` says why, per entry."""

    def __init__(self, problems: List[str]):
        super().__init__("the PO file was not imported:\n  " + "\n  ".join(problems))
        self.problems = problems


@dataclass
class ImportResult:
    language: str
    changed: List[str] = field(default_factory=list)  # text ids whose wording changed
    reviewed: List[str] = field(default_factory=list)  # text ids now marked reviewed
    unreviewed: List[str] = field(default_factory=list)  # text ids now marked unreviewed


def _yaml() -> YAML:
    """Round-trip YAML that writes the translation files back as they were laid out."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.allow_unicode = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _read(path: Path) -> Any:
    return _yaml().load(path.read_text(encoding="utf-8"))


def _context(text_id: str, path: review.Path_) -> str:
    return ".".join([text_id, *(str(part) for part in path)])


def _get(value: Any, path: review.Path_) -> Optional[str]:
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value if isinstance(value, str) else None


def _entries_by_context(data: Mapping[str, Any]) -> Dict[str, Tuple[str, review.Path_, str]]:
    return {
        _context(text_id, path): (text_id, path, string)
        for text_id, strings in review.texts(data).items()
        for path, string in strings
    }


def export_language(translations_dir: Path, language: Optional[str]) -> polib.POFile:
    """The PO file of one language (`None`: the POT template, sources only)."""
    source = _read(translations_dir / f"{DEFAULT_LANGUAGE}.yml")
    target_path = translations_dir / f"{language}.yml" if language else None
    target = _read(target_path) if target_path and target_path.exists() else {}
    status = review.review_status(source, target, is_source=False) if target else {}
    po = polib.POFile(wrapwidth=0)
    po.metadata = {
        "Project-Id-Version": "werkwijzer",
        "Language": language or "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Source-Language": DEFAULT_LANGUAGE,
    }
    for text_id, strings in review.texts(source).items():
        text_id_block = text_id.split(".", 1)[0]
        for path, string in strings:
            translated = _get(_navigate(target, text_id), path) if target else None
            entry = polib.POEntry(msgctxt=_context(text_id, path), msgid=string, msgstr=translated or "")
            if Text(string).placeholders():
                entry.flags.append(BRACE_FORMAT)
                entry.comment = "Keep every {placeholder} exactly as it is; it is filled in by the assistant."
            elif text_id_block == "responses" and path == ("text",):
                entry.comment = "Keep links, numbers and phone numbers as in the Dutch text."
            if translated and not status.get(text_id, False):
                entry.flags.append(FUZZY)
            po.append(entry)
    return po


def _navigate(data: Any, text_id: str) -> Any:
    block, key = text_id.split(".", 1)
    return ((data or {}).get(block) or {}).get(key)


def export_all(translations_dir: Path, out_dir: Path) -> List[Path]:
    """A POT template and one PO file per translated language, in `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    template = out_dir / TEMPLATE_NAME
    export_language(translations_dir, None).save(str(template))
    written.append(template)
    for path in sorted(translations_dir.glob("*.yml")):
        if path.stem == DEFAULT_LANGUAGE:
            continue
        target = out_dir / f"{path.stem}.po"
        export_language(translations_dir, path.stem).save(str(target))
        written.append(target)
    return written


def _structure_like(source_value: Any) -> Any:
    """An untranslated copy of a source structure: what is not a text (button payloads) is kept."""
    if isinstance(source_value, Mapping):
        copy = CommentedMap((k, v) for k, v in source_value.items() if k in review.NOT_TEXT)
        if getattr(source_value, "fa", None) is not None and source_value.fa.flow_style():
            copy.fa.set_flow_style()
        return copy
    if isinstance(source_value, list):
        return CommentedSeq(_structure_like(item) for item in source_value)
    return None


def _set(container: Any, source: Any, path: review.Path_, value: str) -> None:
    """Set `value` at `path`, creating what is missing in the shape of the Dutch source."""
    for part in path[:-1]:
        source = source[part]
        if isinstance(container, list):
            while len(container) <= part:
                container.append(None)
            if container[part] is None:
                container[part] = _structure_like(source)
        elif part not in container:
            container[part] = _structure_like(source)
        container = container[part]
    last = path[-1]
    if isinstance(container, list):
        while len(container) <= last:
            container.append(None)
        old = container[last]
    else:
        old = container.get(last)
    container[last] = type(old)(value) if isinstance(old, ScalarString) else DoubleQuotedScalarString(value)


def _as_text(value: Any, direction: str) -> Optional[Text]:
    if isinstance(value, str):
        return Text(with_direction(value, direction))
    if isinstance(value, Mapping) and isinstance(value.get("text"), str):
        buttons = tuple(Button(str(b.get("title", "")), str(b.get("payload", ""))) for b in value.get("buttons") or ())
        return Text(with_direction(value["text"], direction), buttons)
    return None


def import_po(po_path: Path, translations_dir: Path, language: Optional[str] = None) -> ImportResult:
    """Write a PO file back into `translations/<lang>.yml`; refuse it whole when anything is off."""
    po = polib.pofile(str(po_path))
    language = language or po.metadata.get("Language", "").strip()
    if not language:
        raise ImportRefused([f"{po_path.name}: no language (the PO header 'Language' is empty)"])
    if language == DEFAULT_LANGUAGE:
        raise ImportRefused([f"{po_path.name}: Dutch is the source language; edit translations/nl.yml"])
    source = _read(translations_dir / f"{DEFAULT_LANGUAGE}.yml")
    target_path = translations_dir / f"{language}.yml"
    if not target_path.exists():
        raise ImportRefused([f"{target_path} does not exist: start a new language from a copy of en.yml"])
    target = _read(target_path)
    known = _entries_by_context(source)
    before = {text_id: list(strings) for text_id, strings in review.texts(target).items()}
    problems: List[str] = []
    verdicts: Dict[str, List[bool]] = {}
    for entry in po:
        if entry.obsolete:
            continue
        where = entry.msgctxt or entry.msgid[:40]
        if entry.msgctxt not in known:
            problems.append(f"{where}: no such text in the Dutch source")
            continue
        text_id, path, source_string = known[entry.msgctxt]
        if entry.msgid != source_string:
            problems.append(f"{where}: the Dutch text changed since this file was exported; export again")
            continue
        if not entry.msgstr:
            verdicts.setdefault(text_id, []).append(False)
            continue
        block, key = text_id.split(".", 1)
        _set(target.setdefault(block, CommentedMap()), source[block], (key,) + path, entry.msgstr)
        verdicts.setdefault(text_id, []).append(not entry.fuzzy)
    direction = str((target.get("meta") or {}).get("direction", "ltr"))
    after = review.texts(target)
    changed = [text_id for text_id, strings in after.items() if before.get(text_id) != strings]
    for text_id in changed:
        source_text = _as_text(_navigate(source, text_id), "ltr")
        text = _as_text(_navigate(target, text_id), direction)
        if source_text is not None and text is not None:
            problems += [f"{text_id}: {p}" for p in text_checks.problems(text, source_text)]
    if problems:
        raise ImportRefused(problems)
    result = ImportResult(language, changed=changed)
    fingerprints = review.source_fingerprints(source)
    meta = target.setdefault("meta", CommentedMap())
    marks = meta.get(review.REVIEWED)
    if not isinstance(marks, CommentedMap):
        marks = CommentedMap(marks or {})
        meta[review.REVIEWED] = marks
    for text_id, oks in verdicts.items():
        complete = len(oks) == sum(1 for tid, _, _ in known.values() if tid == text_id)
        if complete and all(oks):
            marks[text_id] = fingerprints[text_id]
            result.reviewed.append(text_id)
        else:
            if text_id in marks:
                del marks[text_id]
            result.unreviewed.append(text_id)
    if marks:
        marks.fa.set_block_style()
    buffer = io.StringIO()
    _yaml().dump(target, buffer)
    target_path.write_text(_unescape_supplementary(buffer.getvalue()), encoding="utf-8")
    return result


_SUPPLEMENTARY_ESCAPE = re.compile(r"(?<!\\)\\U(0001[0-9A-Fa-f]{4})")


def _unescape_supplementary(text: str) -> str:
    """ruamel.yaml writes characters beyond the Basic Multilingual Plane (emoji: 👍) in a
    double-quoted string as `\\U0001F44D` escapes; the files keep them as they are typed."""
    return _SUPPLEMENTARY_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)

