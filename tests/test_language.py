"""Language identification on chat messages: what switches the conversation language, and what
keeps it."""

from __future__ import annotations

import pytest

from bot.nlu.language_id import LanguageIdentifier, languages_in, project_identifier


@pytest.fixture(scope="module")
def identifier(project) -> LanguageIdentifier:
    return project_identifier(project)


def test_the_supported_languages_are_the_translation_files(project, identifier):
    assert list(identifier.languages) == languages_in(project / "translations")
    assert set(identifier.languages) == {"nl", "en", "ar", "tr", "ti", "fa", "uk", "ru", "so"}


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Mag ik werken als asielzoeker?", "nl"),
        ("Kan ik subsidie krijgen voor een statushouder?", "nl"),
        ("hoi", "nl"),
        ("ik wil werken", "nl"),
        ("May I work while my asylum application is pending?", "en"),
        ("hello", "en"),
        ("can we start over", "en"),
        ("Sığınmacı olarak çalışabilir miyim?", "tr"),
        ("merhaba", "tr"),
        ("هل يمكنني العمل في هولندا؟", "ar"),
        ("شكرا", "ar"),
        ("آیا می‌توانم در هلند کار کنم؟", "fa"),
        ("ممنون", "fa"),
        ("Чи можу я працювати в Нідерландах?", "uk"),
        ("дякую", "uk"),
        ("ክሰርሕ ይኽእል ድየ?", "ti"),
        ("ሰላም", "ti"),
    ],
)
def test_clear_messages_are_detected(identifier, text, expected):
    assert identifier.detect(text) == expected


# Latin words inside a message in another script are names and loan words: the message is in the
# language of its script (Tigrinya, whose letters are syllables, used to be taken for Dutch).
@pytest.mark.parametrize(
    "text,expected",
    [
        ("ኣብ azc ዘለኹ helpdesk ክረክብ ይኽእል ድየ", "ti"),
        ("inburgering examen ከመይ እዩ", "ti"),
        ("ana fi azc w 3ndi IND interview, هل اقدر اشتغل", "ar"),
        ("Mijn werkgever UWV TWV aanvraag когда будет", "ru"),
        ("statushouder werkgever inburgering چیه", "fa"),
    ],
)
def test_a_message_in_another_script_with_latin_words_is_that_script_s_language(identifier, text, expected):
    assert identifier.detect(text) == expected


@pytest.mark.parametrize(
    "text",
    ["ok", "👍", "8", "?", "", "TWV", "sowis", "start over", "qwxz plorb vrrrt", "سلام", "...", "ok ok"],
)
def test_short_or_unclear_messages_keep_the_language(identifier, text):
    assert identifier.identify(text) is None


# Russian and Ukrainian, as people who fled Ukraine write them (issue #22): Russian letters
# (ы э ъ ё), Ukrainian letters (і ї є ґ), or neither, when the words decide. Written for this
# test; none is in data/nlu or translations/.
RUSSIAN_AND_UKRAINIAN = [
    ("Я из Украины, можно ли мне работать?", "ru"),
    ("Можно ли мне работать в Нидерландах?", "ru"),
    ("Здравствуйте, мне нужна помощь с работой", "ru"),
    ("работодатель хочет взять меня на склад, что ему нужно", "ru"),
    ("сколько денег дают фирме за статусхаудера", "ru"),
    ("я живу в азц уже полгода", "ru"),
    # langdetect: Bulgarian or Russian, one word seen only in Ukrainian data; Russian wins on
    # the first message (it used to stay Dutch).
    ("оператора пожалуйста", "ru"),
    ("мне платят 4 евро в час", "ru"),
    ("спасибо большое", "ru"),
    ("привет", "ru"),
    ("нет", "ru"),
    ("как долго ждать twv", "ru"),
    ("можно поговорить с человеком?", "ru"),
    ("Я з України, чи можу я працювати?", "uk"),
    ("роботодавець хоче взяти мене на склад, що йому треба", "uk"),
    ("скільки грошей дають фірмі за людину зі статусом", "uk"),
    ("мені платять 4 євро на годину", "uk"),
    ("дякую велике", "uk"),
    ("ні", "uk"),
    ("можна поговорити з людиною?", "uk"),
]


@pytest.mark.parametrize("text,expected", RUSSIAN_AND_UKRAINIAN)
def test_russian_is_russian_and_ukrainian_stays_ukrainian(identifier, text, expected):
    """A Russian writer gets Russian, a Ukrainian writer keeps Ukrainian (issue #22)."""
    assert identifier.identify(text) == expected


@pytest.mark.parametrize(
    "text",
    ["ок", "ТВВ", "ыыы їїї", "Привіт, мне нужны документы", "ёїё"],
)
def test_mixed_or_unclear_cyrillic_keeps_the_language(identifier, text):
    """Letters of both Russian and Ukrainian, or no word to go by: the conversation keeps its
    language."""
    assert identifier.identify(text) is None


def test_short_russian_chat_messages_are_russian_and_all_languages_stay_above_the_goal(identifier, project):
    """Issue #22: language ID >= 98% over every language, measured on short chat messages
    (evaluation/language_id.yml for the first seven, tests/data/language_id_ru.yml for Russian,
    written for the test). Russian alone: 43 of 45 when written (7 Dec); the misses are "до
    завтра" (the same words in Ukrainian: taken for uk) and "я не поняла" (kept)."""
    import yaml

    from bot.tools.quality import LANGUAGE_ID_GOAL, LanguageIdReport, language_id_benchmark

    benchmark = yaml.safe_load((project / "evaluation" / "language_id.yml").read_text(encoding="utf-8"))
    russian = yaml.safe_load((project / "tests" / "data" / "language_id_ru.yml").read_text(encoding="utf-8"))
    benchmark["languages"].update(russian)
    # Kept while Russian was not supported; Russian now, as it should be.
    was_unsupported = {"Можно ли мне работать в Нидерландах?", "Здравствуйте, мне нужна помощь"}
    benchmark["keep"] = [text for text in benchmark["keep"] if text not in was_unsupported]
    report = language_id_benchmark(benchmark, identifier)
    assert report.detector["ru"].rate >= 0.95, report.detector["ru"].misses
    assert LanguageIdReport.overall(report.detector).rate >= LANGUAGE_ID_GOAL
    assert report.detector_keep.rate == 1.0, report.detector_keep.misses


def test_russian_is_kept_when_russian_is_not_supported(project):
    """With only the seven first languages (Russian narrowed away), text in Russian letters does
    not switch the conversation to Ukrainian."""
    seven = ["nl", "en", "ar", "tr", "ti", "fa", "uk"]
    identifier = LanguageIdentifier.from_files(
        project / "translations", project / "data" / "nlu", seven
    )
    assert identifier.identify("Здравствуйте, мне нужны документы для работы") is None
    assert identifier.identify("Чи можу я працювати в Нідерландах?") == "uk"


@pytest.mark.parametrize(
    "text",
    ["Bonjour, est-ce que je peux travailler?", "Hallo, darf ich hier arbeiten?"],
)
def test_other_latin_languages_are_not_forced_onto_ours(identifier, text):
    assert identifier.detect(text) is None


@pytest.mark.parametrize(
    "text,expected",
    [("hello assistant", "en"), ("can I call someone", "en"), ("hallo daar", "nl"), ("dank u wel", "nl"),
     ("iyi sabahlar", "tr"), ("iptal et lutfen", "tr")],
)
def test_messages_in_words_of_one_language_only_are_that_language(identifier, text, expected):
    """Every word known and of one language: langdetect, which took these for another language
    (and so kept the conversation's), is not asked."""
    assert identifier.detect(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("in English please", "en"),
        ("kun je in het Nederlands praten", "nl"),
        ("بالعربي", "ar"),
        ("Türkçe lütfen", "tr"),
        ("українською", "uk"),
        ("به فارسی", "fa"),
        ("دری", "fa"),
        ("ብትግርኛ", "ti"),
        ("Tigrinya please", "ti"),
        ("по-русски, пожалуйста", "ru"),
        ("на русском", "ru"),
        ("можно по-русски?", "ru"),
        ("русский", "ru"),
        ("in Russian please", "ru"),
        ("російською", "ru"),
        ("ответь по-английски", "en"),
        ("давай на украинском", "uk"),
        ("Af-Soomaali", "so"),
        ("af soomaali fadlan", "so"),
        ("in Somali please", "so"),
        ("Somalisch graag", "so"),
        ("soomaali iila hadal", "so"),
    ],
)
def test_asking_for_a_language_by_name(identifier, text, expected):
    assert identifier.requested(text) == expected
    assert identifier.identify(text) == expected


def test_a_long_message_that_mentions_a_language_is_not_a_request(identifier):
    text = "Do I need to speak Dutch before I can start working here?"
    assert identifier.requested(text) is None
    assert identifier.identify(text) == "en"


# Short Somali chat messages, written for this test (not in data/ or evaluation/): greetings,
# thanks, yes/no and the main questions, typed the way people type them (no capitals, both
# spellings shaqeyn/shaqayn, Dutch institution names mixed in).
SHORT_SOMALI = [
    "ma shaqeyn karaa",
    "ma shaqayn karaa hadda",
    "asc walaal",
    "iska warran",
    "mahadsanid walaal",
    "haa waa sax",
    "maya mahadsanid",
    "nabadgelyo",
    "qof dhab ah ayaan rabaa",
    "azc baan joogaa 7 bilood",
    "twv sidee loo helaa",
    "subsidie ma jiraa statushouder",
    "sharci baan haystaa",
    "jooji su'aalaha",
    "dib u bilow",
    "waan ka xumahay",
    "khatar ayaan ku jiraa",
    "magangalyo-doon baan ahay",
    "yaa i caawin kara",
    "ukraine baan ka imid shaqo ma heli karaa",
    "loo-shaqeeyahaygu maxuu u baahan yahay",
    "stage ma qaadan karaa",
    "lacag yar ayay i siiyaan",
    "maxaad qaban kartaa",
]


@pytest.mark.parametrize("text", SHORT_SOMALI)
def test_short_somali_messages_are_somali(identifier, text):
    assert identifier.identify(text) == "so"


def test_somali_is_told_apart_from_dutch_english_and_turkish_on_short_messages(identifier):
    """Short messages of the other Latin-script languages stay theirs with Somali added."""
    others = {
        "nl": ["mag ik werken", "hoi", "ik wil werken", "dank u wel", "hallo daar"],
        "en": ["hello", "can I work", "thank you", "talk to a person"],
        "tr": ["merhaba", "çalışabilir miyim", "teşekkürler"],
    }
    for language, messages in others.items():
        for text in messages:
            assert identifier.identify(text) == language, text


@pytest.mark.parametrize("text", ["ok", "👍", "TWV", "azc", "UWV IND", "COA"])
def test_names_and_bare_replies_keep_the_language_with_somali_added(identifier, text):
    """Institution names that Somali writers mix in are no evidence of Somali."""
    assert identifier.identify(text) is None


@pytest.mark.parametrize(
    "text", ['choose_language{"language":"xx"}', 'greet{"language":"en"}', "ask_asylum_work"]
)
def test_intent_syntax_typed_as_text_is_not_a_language(identifier, text):
    assert identifier.identify(text) is None


def test_random_strings_are_gibberish_and_no_real_message_is(identifier, project):
    """Every message written for the project (training data, held-out sets, the language
    benchmark) is a message; the bad-input corpus's random strings of many scripts are not."""
    import yaml

    from bot.tools.bench.conversations import examples_by_language
    from tests.bad_inputs import texts

    real = [text for intents in examples_by_language(project).values() for found in intents.values() for text in found]
    for path in sorted((project / "evaluation").glob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
        real += [str(case.get("text") or case.get("question") or "") for case in _cases(content)]
    assert len(real) > 5000
    flagged = [text for text in real if identifier.is_gibberish(text)]
    assert flagged == []
    random_strings = [case.text for case in texts() if case.kind == "random"]
    gibberish = [text for text in random_strings if identifier.is_gibberish(text)]
    assert len(gibberish) >= 0.9 * len(random_strings), (len(gibberish), len(random_strings))


def _cases(content):
    """The messages of an evaluation file, whatever its layout (lists of cases or of texts)."""
    if isinstance(content, dict):
        for value in content.values():
            yield from _cases(value)
    elif isinstance(content, list):
        for item in content:
            if isinstance(item, dict):
                yield item
            elif isinstance(item, str):
                yield {"text": item}
            else:
                yield from _cases(item)


@pytest.mark.parametrize("text", ["3 aydir kamptayim calisabilirmiyim", "gonullu calisabilir miyim"])
def test_turkish_typed_without_its_letters_is_turkish(identifier, text):
    """A Turkish message typed on a plain keyboard used to stay in the conversation's language."""
    assert identifier.detect(text) == "tr"


@pytest.mark.parametrize("text,expected", [
    ("mozhno li azulyantam prohodit stazhirovku? nuzhno li dlya etogo razreshenie?", "ru"),
    ("privet, mozhno rabotat esli ya v azc?", "ru"),
    ("chy mozhna pratsyuvaty bez TWV? dyakuyu", "uk"),
    ("salam, mitunam kar konam? 5 mahe too kamp hastam", "fa"),
    ("mumkin ishtaghel iza ana b azc? shukran", "ar"),
])
def test_a_language_typed_in_latin_letters_is_that_language(identifier, text, expected):
    """Someone without a Cyrillic or Persian keyboard types translit; the answer comes in the
    script they read (bot/nlu/transliterated_words.yml)."""
    assert identifier.detect(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("kan ik werken als ik 7 maanden in het azc zit", "nl"),
    ("hello, can I work with a residence permit?", "en"),
    ("waxaan ahay magangalyo doon, ma shaqeyn karaa?", "so"),
    ("merhaba, kac ay sonra calisabilirim", "tr"),
])
def test_latin_languages_are_not_taken_for_translit(identifier, text, expected):
    assert identifier.detect(text) == expected


def test_no_latin_training_example_is_taken_for_translit(identifier, project):
    """Every example of data/nlu/{nl,en,tr,so} stays out of the transliterated languages."""
    import re

    import yaml

    from bot.nlu.language_id import words

    taken = []
    for language in ("nl", "en", "tr", "so"):
        for path in sorted((project / "data" / "nlu" / language).glob("*.yml")):
            for item in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or ():
                for line in (item.get("examples") or "").splitlines():
                    tokens = words(re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:]))
                    if tokens and identifier._transliterated(tokens, 0):
                        taken.append((language, line.strip()))
    assert not taken


@pytest.mark.parametrize("text", ["а волонтерство?", "оператор"])
def test_a_word_of_both_ukrainian_and_russian_keeps_the_conversation_s_language(identifier, text):
    """"а волонтерство?" after a Russian question was answered in Ukrainian (round 1 of the blind
    set): one or two words both languages write alike say nothing about which one it is."""
    assert identifier.detect(text) is None


@pytest.mark.parametrize("text,expected", [("hiii", "en"), ("helloooo", "en"), ("merhabaaa", "tr")])
def test_a_stretched_word_is_read_as_the_word(identifier, text, expected):
    """"hiii" was answered in Dutch: a letter typed three times or more counts once."""
    assert identifier.detect(text) == expected
