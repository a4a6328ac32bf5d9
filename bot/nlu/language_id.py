"""Language identification for short chat messages, and the NLU component that uses it.

The conversation language lives in the `language` slot, filled from a `language` entity. The
component adds that entity only when it is sure: when the user asks for a language ("in English
please", "بالعربي", a language button) or writes clearly in one. A message that is too short or
too unclear to tell ("ok", "👍", "8", "start over", "qwxz plorb") adds nothing, so the slot — and
the conversation's language — stays as it was.

How a message is identified (`LanguageIdentifier.identify`):
1. a request by name: a short message that names exactly one supported language;
2. the script: Ethiopic letters are Tigrinya; Arabic script is Arabic or Farsi, told apart by the
   letters only one of them uses (and the keyboard gives away: ي/ك for Arabic, ی/ک for Farsi);
   Cyrillic is Ukrainian (і ї є ґ) or Russian (ы э ъ ё); without those letters the words only
   one of them uses decide, then langdetect; Cyrillic with letters of both keeps the language;
3. Latin script (Dutch, English, Turkish, Somali): langdetect restricted to a few profiles, combined with
   the project's own vocabulary (the words of `translations/<lang>.yml` and `data/nlu/<lang>/`):
   at least one known word, no other language's words, and a clear margin.

The supported languages have one source: the translation files (`translations/<lang>.yml`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.content import fast_yaml
from bot.content.spelling import unstretched

PROJECT_DIRECTORY = Path(__file__).resolve().parents[2]
ENTITY = "language"
# Set on a message by `LanguageDetector` when `LanguageIdentifier.is_gibberish` says so.
GIBBERISH = "werkwijzer_gibberish"

# Below this many letters (Latin or Cyrillic script) langdetect is not asked: only the vocabulary.
MIN_LETTERS = 8
# langdetect's probability for the best language, and its lead over the second, to be believed.
MIN_CONFIDENCE = 0.80
MIN_MARGIN = 0.30
# langdetect must be this sure that a Latin-script message is in another language (German,
# French, ...) to keep the conversation language; below it, the vocabulary decides.
NOT_OURS_CONFIDENCE = 0.95
# A request by name ("English please", "kun je in het Nederlands praten") is a short message.
MAX_REQUEST_WORDS = 6

# Words that name a language, in each of the languages. Phrases are matched as whole words.
LANGUAGE_NAMES: Mapping[str, FrozenSet[str]] = {
    "nl": frozenset({
        "nederlands", "nederlandse", "hollands", "dutch", "felemenkçe", "hollandaca",
        "هولندي", "الهولندية", "بالهولندي", "بالهولندية", "هلندی", "هلندي",
        "нідерландською", "нідерландська", "голландською", "ሆላንድኛ", "ብሆላንድኛ",
    }),
    "en": frozenset({
        "english", "engels", "engelse", "ingilizce", "inglizi", "انجليزي", "الانجليزية",
        "الإنجليزية", "بالانجليزي", "بالإنجليزية", "بالانجليزية", "انگلیسی", "англійською",
        "англійська", "እንግሊዝኛ", "ብእንግሊዝኛ",
    }),
    "ar": frozenset({
        "arabic", "arabisch", "arapça", "arapca", "عربي", "العربي", "العربية", "بالعربي",
        "بالعربية", "عربى", "عربی", "арабською", "арабська", "ዓረብኛ", "ብዓረብኛ",
    }),
    "tr": frozenset({
        "turkish", "turks", "türkçe", "turkce", "تركي", "التركية", "بالتركي", "ترکی",
        "турецькою", "турецька", "ቱርክኛ", "ብቱርክኛ",
    }),
    "ti": frozenset({
        "tigrinya", "tigrinia", "tigrigna", "tigrinyaca", "تغرينية", "التغرينية", "تیگرینیا",
        "тигринья", "тигринею", "ትግርኛ", "ብትግርኛ", "ትግሪኛ", "ብትግሪኛ",
    }),
    "fa": frozenset({
        "farsi", "persian", "perzisch", "dari", "farsça", "farsca", "فارسی", "فارسي",
        "بالفارسية", "الفارسية", "دری", "دري", "پارسی", "перською", "фарсі", "ፋርስኛ", "ብፋርስኛ",
    }),
    "uk": frozenset({
        "ukrainian", "oekraïens", "oekraiens", "oekraïense", "ukraynaca", "الأوكرانية",
        "الاوكرانية", "اوکراینی", "українською", "українська", "українську", "українськи",
        "ዩክሬንኛ", "ብዩክሬንኛ",
    }),
    "ru": frozenset({
        "russian", "russisch", "rusça", "rusca", "الروسية", "روسي", "بالروسي", "بالروسية", "روسی",
        "російською", "російська", "русский", "русском", "русски", "ራሽኛ", "ብራሽኛ",
    }),
    # Somali: "Af-Soomaali" is two words ("af" is "language"), both ways of spelling the name.
    "so": frozenset({
        "somali", "soomaali", "somaali", "somalisch", "somalische", "somalice", "somalca",
        "الصومالية", "الصومالي", "بالصومالي", "بالصومالية", "سومالیایی", "سومالی",
        "сомалійською", "сомалійська", "ሶማልኛ", "ብሶማልኛ",
    }),
}
# Russian writers name the other languages in Russian ("по-английски", "на украинском").
NAMES_IN_RUSSIAN: Mapping[str, FrozenSet[str]] = {
    "nl": frozenset({"нидерландском", "нидерландски", "голландски", "нидерландский"}),
    "en": frozenset({"английском", "английски", "английский"}),
    "ar": frozenset({"арабском", "арабски", "арабский"}),
    "tr": frozenset({"турецком", "турецки", "турецкий"}),
    "fa": frozenset({"персидском", "персидски", "фарси", "дари"}),
    "uk": frozenset({"украинском", "украински", "украинский"}),
}
LANGUAGE_NAMES = {
    code: names | NAMES_IN_RUSSIAN.get(code, frozenset()) for code, names in LANGUAGE_NAMES.items()
}

# Words that make a short message naming a language a request for it ("English please",
# "kun je Nederlands praten", "Türkçe lütfen", "فارسی لطفا", "будь ласка", "በጃኻ").
REQUEST_WORDS = frozenset({
    "please", "speak", "talk", "answer", "reply", "write", "switch", "in",
    "graag", "alsjeblieft", "alstublieft", "praten", "spreken", "spreek", "praat", "antwoord",
    "antwoorden", "schrijf", "schrijven",
    "lütfen", "lutfen", "konuş", "konus", "konuşabilir", "konuşur", "konuşalım", "yaz", "cevap",
    "فضلك", "سمحت", "احكي", "تحكي", "تكلم", "تتكلم", "جاوب", "اكتب", "احكيلي",
    "لطفا", "به", "صحبت", "حرف", "بنویس", "جواب", "بزن", "بگو",
    "будь", "ласка", "говори", "говорити", "розмовляй", "відповідай", "пиши", "напиши",
    "пожалуйста", "говорите", "отвечай", "отвечайте", "пишите",
    "በጃኻ", "በጃኺ", "በጃኹም", "ተዛረብ", "ትዛረብ", "ተዛረቢ", "መልስ", "ጽሓፍ",
    "fadlan", "hadal", "hadla", "ila", "iila", "ku", "qor", "jawaab", "ii",
})
# At most this many words, a message that only names a language is a request ("English",
# "به فارسی"); "where can I learn Dutch" is not.
MAX_BARE_REQUEST_WORDS = 2


def _means_in_language(name: str) -> bool:
    """Names that mean "in <language>" by themselves: بالعربي, українською, ብትግርኛ, and the
    Russian "по-русски" / "на русском"."""
    return (
        name.startswith("بال") or name.startswith("ብ") or name.endswith("ою")
        or name.endswith("ски") or name.endswith("ском")
    )


# Letters that only one language of a script uses (as typed on that language's keyboard).
FARSI_LETTERS = frozenset("پچژگکیۀ")
ARABIC_LETTERS = frozenset("ةىكيئإأؤ")
# The supported languages written in Latin script (Somali since issue #22).
LATIN_LANGUAGES = ("nl", "en", "tr", "so")
TURKISH_LETTERS = frozenset("ğış")  # after case-folding; not used in Dutch or English
UKRAINIAN_LETTERS = frozenset("іїєґ")
RUSSIAN_LETTERS = frozenset("ыэъё")

# langdetect profiles loaded besides the supported languages, so that their texts are not forced
# onto one of ours; and langdetect codes that stand for one of ours (short Dutch looks Afrikaans).
EXTRA_PROFILES = ("af", "de", "fr", "es", "it", "pl", "so", "ru", "bg")
LANGDETECT_ALIASES = {"af": "nl"}

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
_LINK = re.compile(r"\b[\w.-]+\.(?:nl|com|org|eu|net)\b[\w/.-]*", re.UNICODE)
# Chunks that are code, not language: `choose_language{"language":"xx"}`, `snake_case`.
_CODE_CHUNK = re.compile(r"\S*[_{}]\S*")
_ANNOTATION = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}")


def words(text: str) -> List[str]:
    """The words of `text`: NFKC, case-folded, without diacritic marks, digits or punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    return _WORD.findall(unstretched(text))


def script_of(char: str) -> Optional[str]:
    """The script of one letter: "ethiopic", "arabic", "cyrillic", "latin", or None."""
    code = ord(char)
    if 0x1200 <= code <= 0x139F or 0x2D80 <= code <= 0x2DDF or 0xAB00 <= code <= 0xAB2F:
        return "ethiopic"
    if 0x0600 <= code <= 0x06FF or 0x0750 <= code <= 0x077F or 0xFB50 <= code <= 0xFEFF:
        return "arabic"
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if char.isalpha() and (code < 0x0250 or 0x1E00 <= code <= 0x1EFF):
        return "latin"
    return None


# A message with at least this many letters of a non-Latin script is in that script's language,
# whatever Latin words it also has: those are names and loan words ("azc", "IND", "helpdesk",
# "inburgering"), and an Ethiopic letter is a whole syllable, so Latin letters outnumber it.
MIN_NON_LATIN_LETTERS = 3
# Without letters or words of only one of them, Ukrainian and Russian are told apart by langdetect
# only from this many words: "а волонтерство?" is both, and keeps the conversation's language.
MIN_CYRILLIC_WORDS_FOR_LANGDETECT = 3
TRANSLITERATED_FILE = Path(__file__).with_name("transliterated_words.yml")
# A Latin message needs this many transliterated words of one language to be that language.
MIN_TRANSLITERATED_WORDS = 2


@lru_cache(maxsize=1)
def transliterated_words() -> Dict[str, FrozenSet[str]]:
    """Per language, its words typed in Latin letters (transliterated_words.yml)."""
    data = fast_yaml.safe_load(TRANSLITERATED_FILE.read_text(encoding="utf-8")) or {}
    return {code: frozenset(str(w).casefold() for w in words or ()) for code, words in data.items()}


def dominant_script(letters: str) -> Optional[str]:
    """The script of a message: the non-Latin script with the most letters when it has at least
    `MIN_NON_LATIN_LETTERS` of them, else the script with the most letters."""
    counts: Dict[str, int] = {}
    for char in letters:
        script = script_of(char)
        if script:
            counts[script] = counts.get(script, 0) + 1
    non_latin = {script: count for script, count in counts.items() if script != "latin"}
    if non_latin and max(non_latin.values()) >= MIN_NON_LATIN_LETTERS:
        return max(non_latin, key=non_latin.get)
    return max(counts, key=counts.get) if counts else None


def languages_in(translations_directory: Path) -> List[str]:
    """The supported languages: one per translation file, in sorted order."""
    return sorted(path.stem for path in Path(translations_directory).glob("*.yml"))


def _texts_of_translation_file(path: Path) -> Iterable[str]:
    data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for raw in (data.get("responses") or {}).values():
        if isinstance(raw, str):
            yield raw
        elif isinstance(raw, dict):
            yield str(raw.get("text", ""))
            for button in raw.get("buttons") or ():
                yield str(button.get("title", ""))


def _texts_of_nlu_folder(folder: Path) -> Iterable[str]:
    for path in sorted(folder.rglob("*.yml")):
        data = fast_yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or ():
            for line in str(block.get("examples", "")).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield _ANNOTATION.sub(lambda m: m.group(1) or m.group(2) or "", line[2:])


# Turkish typed on a keyboard without its letters ("calisabilirmiyim", "gonullu"): the words of
# the Turkish vocabulary are also known in that spelling.
TURKISH_ON_A_PLAIN_KEYBOARD = str.maketrans("çşğıöü", "csgiou")


def vocabulary_from(texts: Iterable[str], language: Optional[str] = None) -> Set[str]:
    found: Set[str] = set()
    for text in texts:
        text = _LINK.sub(" ", _PLACEHOLDER.sub(" ", text))
        found.update(words(text))
    if language == "tr":
        found |= {word.translate(TURKISH_ON_A_PLAIN_KEYBOARD) for word in found}
    return found


class _Langdetect:
    """langdetect with a chosen set of profiles and a fixed seed (same answer every time)."""

    def __init__(self, languages: Sequence[str]) -> None:
        from langdetect import detector_factory
        from langdetect.utils.lang_profile import LangProfile

        factory = detector_factory.DetectorFactory()
        factory.seed = 0
        profiles = []
        for code in sorted(set(languages)):
            path = Path(detector_factory.PROFILES_DIRECTORY) / code
            if path.exists():
                profiles.append(LangProfile(**json.loads(path.read_text(encoding="utf-8"))))
        for index, profile in enumerate(profiles):
            factory.add_profile(profile, index, len(profiles))
        self._factory = factory
        self.languages = tuple(p.name for p in profiles)

    def probabilities(self, text: str) -> Dict[str, float]:
        from langdetect.lang_detect_exception import LangDetectException

        if not self.languages:
            return {}
        detector = self._factory.create()
        detector.append(text)
        try:
            return {p.lang: p.prob for p in detector.get_probabilities()}
        except LangDetectException:
            return {}


@dataclass
class LanguageIdentifier:
    """Tells which supported language a chat message is written in, or that it cannot tell.

    `vocabulary` maps each language to the words the project uses in it; the words that only one
    language uses are its evidence.
    """

    languages: Sequence[str]
    vocabulary: Mapping[str, Set[str]] = field(default_factory=dict, repr=False)
    # Words of a language with its own script typed in Latin letters (transliterated_words.yml).
    transliterated: Mapping[str, Set[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.languages = tuple(self.languages)
        known = {code: set(self.vocabulary.get(code, ())) for code in self.languages}
        # A single Latin letter is no evidence: the "m" of "I'm" is also Dutch "m'n" cut at the
        # quote. A single Cyrillic one is: Ukrainian "з", "й" against Russian "с".
        self._own_words: Dict[str, Set[str]] = {
            code: {w for w in known[code] - set().union(*(known[o] for o in self.languages if o != code))
                   if len(w) > 1 or script_of(w) != "latin"}
            for code in self.languages
        }
        self._known_words: Set[str] = set().union(*known.values()) if known else set()
        self._names = {
            name: code
            for code, names in LANGUAGE_NAMES.items()
            if code in self.languages
            for name in names
        }
        self._langdetect = _Langdetect(list(self.languages) + list(EXTRA_PROFILES))

    @classmethod
    def from_files(
        cls, translations: Path, nlu: Path, languages: Optional[Sequence[str]] = None,
        words_of_translations: bool = True,
    ) -> "LanguageIdentifier":
        """The identifier for the languages of the `translations` folder (or `languages`), with
        the vocabulary of `nlu/<lang>/` and (unless told not to) of the translation files."""
        codes = list(languages or languages_in(translations))
        vocabulary = {}
        for code in codes:
            texts: List[str] = []
            file = Path(translations) / f"{code}.yml"
            if words_of_translations and file.exists():
                texts.extend(_texts_of_translation_file(file))
            texts.extend(_texts_of_nlu_folder(Path(nlu) / code))
            vocabulary[code] = vocabulary_from(texts, code)
        transliterated = {code: set(words) for code, words in transliterated_words().items() if code in codes}
        return cls(codes, vocabulary, transliterated)

    @classmethod
    def from_project(cls, project: Path = PROJECT_DIRECTORY) -> "LanguageIdentifier":
        return cls.from_files(Path(project) / "translations", Path(project) / "data" / "nlu")

    # -- the three steps -------------------------------------------------------------------------

    def requested(self, text: str) -> Optional[str]:
        """The language a short message asks for by name ("in English please", "بالعربي")."""
        tokens = words(_CODE_CHUNK.sub(" ", text))
        if not tokens or len(tokens) > MAX_REQUEST_WORDS:
            return None
        names = [t for t in tokens if t in self._names]
        named = {self._names[t] for t in names}
        if len(named) != 1:
            return None
        asked = (
            len(tokens) <= MAX_BARE_REQUEST_WORDS
            or any(t in REQUEST_WORDS for t in tokens)
            or any(_means_in_language(t) for t in names)
        )
        return named.pop() if asked else None

    def detect(self, text: str) -> Optional[str]:
        """The language `text` is clearly written in, or None when it is too short or unclear."""
        tokens = words(_CODE_CHUNK.sub(" ", text))
        letters = "".join(tokens)
        script = dominant_script(letters)
        if script == "ethiopic":
            return "ti" if "ti" in self.languages and len(letters) >= 2 else None
        if script == "arabic":
            return self._arabic_or_farsi(tokens, letters)
        if script == "cyrillic":
            return self._ukrainian_or_russian(tokens, letters)
        if script == "latin":
            return self._latin(tokens, letters)
        return None

    def is_gibberish(self, text: str) -> bool:
        """Letters of two or more scripts and not one word the assistant knows (of two different
        letters or more: a single letter, or "ii" from a Roman numeral ⅱ, is found by chance): a random string
        (or a keyboard mashed), not a message. The classifier can be sure of an intent for such a
        text by chance (a few n-grams it has seen), so `GibberishGuard` makes it a fallback."""
        tokens = words(text)
        scripts = {script_of(c) or "other" for c in "".join(tokens)}
        return len(scripts) >= 2 and not any(len(set(t)) >= 2 and t in self._known_words for t in tokens)

    def identify(self, text: str) -> Optional[str]:
        """What the conversation language should become after `text`: None keeps it."""
        return self.requested(text) or self.detect(text)

    # -- per script -----------------------------------------------------------------------------

    def _own_word_counts(self, tokens: Sequence[str], candidates: Sequence[str]) -> Dict[str, int]:
        return {
            code: sum(1 for t in tokens if t in self._own_words.get(code, ()))
            for code in candidates
        }

    def _langdetect_ranking(self, letters_text: str) -> List[Tuple[str, float]]:
        scores: Dict[str, float] = {}
        for lang, prob in self._langdetect.probabilities(letters_text).items():
            code = LANGDETECT_ALIASES.get(lang, lang)
            scores[code] = scores.get(code, 0.0) + prob
        return sorted(scores.items(), key=lambda item: item[1], reverse=True) or [("", 0.0)]

    def _langdetect_choice(self, letters_text: str, candidates: Sequence[str]) -> Optional[str]:
        """langdetect's answer when it is confident and clear, else None. The answer may be a
        language outside `candidates` (German, French, ...) when it is very sure of it: the
        caller keeps the conversation language then."""
        ranked = self._langdetect_ranking(letters_text)
        best, prob = ranked[0]
        second = ranked[1][1] if len(ranked) > 1 else 0.0
        needed = MIN_CONFIDENCE if best in candidates else NOT_OURS_CONFIDENCE
        if prob >= needed and prob - second >= MIN_MARGIN:
            return best
        return None

    def _arabic_or_farsi(self, tokens: Sequence[str], letters: str) -> Optional[str]:
        candidates = [code for code in ("ar", "fa") if code in self.languages]
        if not candidates:
            return None
        own = self._own_word_counts(tokens, candidates)
        evidence = {
            "ar": sum(1 for c in letters if c in ARABIC_LETTERS) + 2 * own.get("ar", 0),
            "fa": sum(1 for c in letters if c in FARSI_LETTERS) + 2 * own.get("fa", 0),
        }
        evidence = {code: evidence[code] for code in candidates}
        ranked = sorted(evidence.items(), key=lambda item: item[1], reverse=True)
        if ranked[0][1] > 0 and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]):
            return ranked[0][0]
        if len(letters) >= MIN_LETTERS:
            found = self._langdetect_choice(" ".join(tokens), candidates)
            return found if found in candidates else None
        return None

    def _ukrainian_or_russian(self, tokens: Sequence[str], letters: str) -> Optional[str]:
        """Ukrainian or Russian, by the letters only one of them has (і ї є ґ / ы э ъ ё), then by
        the words only one of them uses (мені/мне, можна/можно, що/что), then by langdetect.
        Letters of both (a mixed or garbled message) keep the conversation's language."""
        candidates = [code for code in ("uk", "ru") if code in self.languages]
        if not candidates:
            return None
        letter_counts = {
            "uk": sum(1 for c in letters if c in UKRAINIAN_LETTERS),
            "ru": sum(1 for c in letters if c in RUSSIAN_LETTERS),
        }
        if letter_counts["uk"] and letter_counts["ru"]:
            return None
        for code, count in letter_counts.items():
            if count:
                return code if code in candidates else None
        own = self._own_word_counts(tokens, ("uk", "ru"))
        ranked = sorted(own, key=own.get, reverse=True)
        first, second = own[ranked[0]], own[ranked[1]]
        if first > second:
            # langdetect takes short Ukrainian for Russian or Bulgarian ("доброго вечора"): the
            # words that only one of the two uses are the better evidence.
            return ranked[0] if ranked[0] in candidates else None
        if len(letters) >= MIN_LETTERS and len(tokens) >= MIN_CYRILLIC_WORDS_FOR_LANGDETECT:
            found = self._langdetect_choice(" ".join(tokens), candidates)
            if found in candidates:
                return found
            # langdetect hesitates between Russian and Bulgarian on short Russian ("оператора
            # пожалуйста"); a Cyrillic message here is Ukrainian or Russian, so between those two
            # a clear lead decides.
            ranked = [(code, prob) for code, prob in self._langdetect_ranking(" ".join(tokens)) if code in candidates]
            if ranked and ranked[0][1] - (ranked[1][1] if len(ranked) > 1 else 0.0) >= MIN_MARGIN:
                return ranked[0][0]
        return None

    def _transliterated(self, tokens: Sequence[str], latin_own_words: int) -> Optional[str]:
        """The language whose transliterated words the message has (at least two, and more than
        the words only a Latin-script language uses), or None."""
        counts = {code: sum(1 for t in tokens if t in words) for code, words in self.transliterated.items()}
        ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)
        if not ranked or ranked[0][1] < MIN_TRANSLITERATED_WORDS or ranked[0][1] <= latin_own_words:
            return None
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            return None
        return ranked[0][0]

    def _latin(self, tokens: Sequence[str], letters: str) -> Optional[str]:
        candidates = [code for code in LATIN_LANGUAGES if code in self.languages]
        if not candidates:
            return None
        own = self._own_word_counts(tokens, candidates)
        transliterated = self._transliterated(tokens, max(own.values(), default=0))
        if transliterated:
            return transliterated
        if "tr" in own:  # a word with ğ, ı or ş is Turkish evidence even if we never saw it
            own["tr"] += sum(
                1 for t in tokens if t not in self._own_words["tr"] and set(t) & TURKISH_LETTERS
            )
        if not any(own.values()) and not any(t in self._known_words for t in tokens):
            return None  # not one word the assistant knows: gibberish, or another language
        ranked = sorted(candidates, key=own.get, reverse=True)
        first = own[ranked[0]]
        second = own[ranked[1]] if len(ranked) > 1 else 0
        by_words = ranked[0] if first > second else None
        if len(letters) < MIN_LETTERS:
            return by_words if second == 0 else None
        # The vocabulary is clear when one language has at least two of its own words, no other
        # language has any, and at most twice as many words are unknown.
        unknown = sum(1 for t in tokens if t not in self._known_words)
        vocabulary_is_clear = (
            by_words is not None and first >= 2 and second == 0 and unknown <= 2 * first
        )
        if by_words is not None and second == 0 and first == len(tokens):
            # Every word is one that only this language uses ("temsilci"): langdetect reads a
            # single word by its letters and was sure that this one is Italian.
            return by_words
        if vocabulary_is_clear and unknown == 0:
            # Every word is one the assistant knows and they point to one language: langdetect
            # could only overrule them for another language's n-grams, and is not asked (~3 ms).
            return by_words
        by_langdetect = self._langdetect_choice(" ".join(tokens), candidates)
        if by_langdetect is None:
            return by_words if vocabulary_is_clear else None
        if by_langdetect not in candidates:
            return None  # clearly another language (German, French, ...)
        if by_langdetect == by_words or (own[by_langdetect] >= 1 and own[by_langdetect] == first):
            return by_langdetect
        if vocabulary_is_clear:
            # langdetect is over-confident on short texts ("good evening" -> nl): its language
            # has none of its own words here, the vocabulary's has two or more.
            return by_words
        if first == 0 and len(tokens) >= 4:
            return by_langdetect  # a longer message in words we do not know
        return None


@lru_cache(maxsize=4)
def project_identifier(project: Path = PROJECT_DIRECTORY) -> LanguageIdentifier:
    """The identifier built from a project's translations and NLU data (cached per project)."""
    return LanguageIdentifier.from_project(project)


def add_language_entity(message: Message, language: str, extractor: str) -> None:
    """Tells the dialogue the message's language (the `language` slot is filled from this entity)."""
    entity = {"entity": ENTITY, "value": language, "start": 0, "end": len(message.get(TEXT) or ""),
              "extractor": extractor}
    message.set(ENTITIES, message.get(ENTITIES, []) + [entity], add_to_output=True)


def _project_path(configured: str) -> Path:
    """A configured path: relative to the working directory (Rasa runs in the project), or else
    to this package's project."""
    path = Path(configured)
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_DIRECTORY / path


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False
)
class LanguageDetector(GraphComponent):
    """Adds a `language` entity when the user asks for a language or clearly writes in one.

    Config: `translations` (folder of `<lang>.yml`, which also says which languages exist) and
    `nlu` (folder of `<lang>/` training data), both relative to the project; `languages`
    optionally narrows the set.
    """

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"translations": "translations", "nlu": "data/nlu", "languages": None}

    def __init__(self, config: Dict[Text, Any], identifier: LanguageIdentifier) -> None:
        self.config = config
        self.identifier = identifier

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageDetector":
        identifier = LanguageIdentifier.from_files(
            _project_path(config.get("translations") or "translations"),
            _project_path(config.get("nlu") or "data/nlu"),
            config.get("languages"),
        )
        return cls(config, identifier)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if self.identifier.is_gibberish(text):
                message.set(GIBBERISH, True)
            language = self.identifier.identify(text)
            if language is None:
                continue
            add_language_entity(message, language, self.__class__.__name__)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False
)
class GibberishGuard(GraphComponent):
    """Between the intent classifier and the `FallbackClassifier`: a message the
    `LanguageDetector` found to be gibberish keeps its intent with confidence 0, so the fallback
    answers it ("could you say it another way?") instead of, by chance, "yes" to a handoff."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "GibberishGuard":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT)
            if message.get(GIBBERISH) and intent:
                message.set(INTENT, {**intent, PREDICTED_CONFIDENCE_KEY: 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        return messages
