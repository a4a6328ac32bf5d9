"""The spelling normalisation behind the intent features (bot/nlu/normalise.py)."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.normalise import NormalisingTokenizer, normalise


@pytest.mark.parametrize(
    "typed,written",
    [
        ("calisma izni", "Çalışma İzni"),  # Turkish without its letters
        ("weeen", "weeën"),  # Dutch diaeresis
        ("اريد العمل", "أريد العمل"),  # Arabic without hamza
        ("مدرسة", "مدرسه"),  # teh marbuta typed as heh
        ("ميتوانم كار كنم", "می‌توانم کار کنم"),  # Farsi on an Arabic keyboard, no ZWNJ
        ("ጸሓይ", "ፀሓይ"),  # Tigrinya letters with the same sound
        ("3 اشهر", "٣ أشهر"),  # Arabic-Indic digits
        ("п'ять", "п’ять"),  # Ukrainian apostrophe
    ],
)
def test_spellings_typed_differently_normalise_alike(typed, written):
    assert normalise(typed) == normalise(written)


def test_tokenizer_keeps_the_text_and_puts_the_normalised_form_in_the_lemma():
    tokenizer = NormalisingTokenizer(NormalisingTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message.build(text="Çalışma izni?"), "text")
    assert [t.text for t in tokens] == ["Çalışma", "izni"]
    assert [t.lemma for t in tokens] == ["calisma", "izni"]
