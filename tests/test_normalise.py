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


def test_a_phone_or_bsn_number_is_one_placeholder_and_months_keep_their_digits():
    """"Mag ik als asielzoeker werken? Bel me op 0612345678" fell back: the number's digits pulled
    it towards "24 weeks". A number of five digits or more says nothing about the question."""
    from bot.nlu.normalise import NUMBER_LEMMA

    tokenizer = NormalisingTokenizer(NormalisingTokenizer.get_default_config())
    tokens = tokenizer.tokenize(Message.build(text="bel 06-12345678 of +31 612345678, 7 maanden, 24 uur"), "text")
    lemmas = [t.lemma for t in tokens]
    assert lemmas.count(NUMBER_LEMMA) == 2
    assert "7" in lemmas and "24" in lemmas and "06-12345678" in [t.text for t in tokens]
