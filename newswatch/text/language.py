"""Which language a text is in, offline, with py3langid's bundled model.

Never loads the model at import time (it takes a moment and some memory) and never touches the network.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Sequence
from typing import Any

from newswatch.models import Article

# Below this many letters the n-gram model guesses; a declared language (the hint) is better than a guess.
MIN_CHARS = 20
# A detection weaker than this yields to a declared language.
MIN_CONFIDENCE = 0.5
# An article is detected from its headline and the start of its text: a page's whole text cost about 2 ms an
# article (mean 3,700 characters) and decided the same as its first 2,000 characters on 710 of 711 real articles.
DETECT_CHARS = 2000
# A declaration is checked by the model only when a cheap look disagrees with it: the share of English stop words
# among the first SAMPLE_WORDS words of the headline and text. English news runs at about 0.4 (the 711 English
# articles of the public labelled story sets: 1st percentile 0.24); German, Portuguese, Italian and Russian items of
# real feeds at 0.18 or less (tests/corpus/test_language_check.py, docs/methods.md "Language"). So a declared English text at
# ENGLISH_SHARE or more, or a declared other language at OTHER_SHARE or less, agrees with its declaration as it
# stands, and the model (0.6 ms an article) runs on the rest: a feed's articles in their declared language cost
# about 20 microseconds each.
SAMPLE_WORDS = 80
LONG_SAMPLE_WORDS = 400
ENGLISH_SHARE = 0.25
OTHER_SHARE = 0.10
_SAMPLE_WORD = re.compile(r"[^\W\d_]+")
# In ASCII the pattern's words are exactly the runs of letters A-Z and a-z: every other ASCII character becomes a
# space, and str.split finds the same words (english_share's fast path).
_ASCII_NON_LETTERS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalpha()})

# English names of languages (GDELT's DOC API reports `language` this way) -> ISO 639-1.
_NAMES = {
    "afrikaans": "af",
    "albanian": "sq",
    "arabic": "ar",
    "armenian": "hy",
    "azerbaijani": "az",
    "basque": "eu",
    "belarusian": "be",
    "bengali": "bn",
    "bosnian": "bs",
    "bulgarian": "bg",
    "catalan": "ca",
    "chinese": "zh",
    "croatian": "hr",
    "czech": "cs",
    "danish": "da",
    "dutch": "nl",
    "english": "en",
    "estonian": "et",
    "finnish": "fi",
    "french": "fr",
    "galician": "gl",
    "georgian": "ka",
    "german": "de",
    "greek": "el",
    "gujarati": "gu",
    "hebrew": "he",
    "hindi": "hi",
    "hungarian": "hu",
    "icelandic": "is",
    "indonesian": "id",
    "italian": "it",
    "japanese": "ja",
    "kannada": "kn",
    "kazakh": "kk",
    "korean": "ko",
    "latvian": "lv",
    "lithuanian": "lt",
    "macedonian": "mk",
    "malay": "ms",
    "malayalam": "ml",
    "marathi": "mr",
    "mongolian": "mn",
    "nepali": "ne",
    "norwegian": "no",
    "pashto": "ps",
    "persian": "fa",
    "polish": "pl",
    "portuguese": "pt",
    "punjabi": "pa",
    "romanian": "ro",
    "russian": "ru",
    "serbian": "sr",
    "sinhala": "si",
    "sinhalese": "si",
    "slovak": "sk",
    "slovenian": "sl",
    "somali": "so",
    "spanish": "es",
    "swahili": "sw",
    "swedish": "sv",
    "tagalog": "tl",
    "tamil": "ta",
    "telugu": "te",
    "thai": "th",
    "turkish": "tr",
    "ukrainian": "uk",
    "urdu": "ur",
    "vietnamese": "vi",
    "welsh": "cy",
}
# A few ISO 639-2/3 codes seen in feeds.
_THREE = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "rus": "ru",
    "ara": "ar",
    "hin": "hi",
    "urd": "ur",
    "zho": "zh",
    "chi": "zh",
    "jpn": "ja",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "tur": "tr",
    "fas": "fa",
    "per": "fa",
    "ben": "bn",
    "ukr": "uk",
}
_TAG = re.compile(r"^([a-z]{2,3})(?:[-_].*)?$")
_LETTER = re.compile(r"\w", re.UNICODE)
_lock = threading.Lock()


def normalize_language(tag: str | None) -> str | None:
    """ISO 639-1 code for a declared language: 'en-US' -> 'en', 'EN_gb' -> 'en', 'English' -> 'en'.

    None for empty or unrecognisable tags (never a guess).
    """
    if not tag:
        return None
    value = tag.strip().lower()
    if value in _NAMES:
        return _NAMES[value]
    match = _TAG.match(value)
    if not match:
        return None
    code = match.group(1)
    if len(code) == 3:
        return _THREE.get(code)
    return code


def stored_language(tag: str | None) -> str | None:
    """The language an article is stored with, from its declared tag: the ISO 639-1 code as detection gives it
    ("en-US" and "en" are one); a tag that cannot be mapped ("fil", "yue") stays as written (lower case), so an
    item declared in another language is never scored as English; None for no tag."""
    return normalize_language(tag) or (tag or "").strip().lower()[:35] or None


@functools.cache
def _identifier() -> Any:
    # Imported here so that importing newswatch never loads numpy or the model.
    import tempfile

    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    try:
        return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    except OSError as exc:
        # py3langid inflates the model into a temporary file (about 68 MB) each time a process loads it: a full
        # temporary folder failed every ingest with a bare OSError. Not cached: the next call tries again.
        from newswatch.errors import StorageError

        raise StorageError(f"{tempfile.gettempdir()}: cannot inflate the language model into a temporary file there "
                           f"({exc.strerror or exc}); it needs about 70 MB free: free space, or set TMPDIR to a "
                           "folder with room") from None


def detect_language(text: str, *, hint: str | None = None) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence 0..1) of `text`.

    Short text (fewer than MIN_CHARS letters) is not detected: the normalised hint is returned with
    confidence 0.0, or (None, 0.0) without a hint. A detection weaker than MIN_CONFIDENCE yields to the hint.
    """
    declared = normalize_language(hint)
    if len(_LETTER.findall(text or "")) < MIN_CHARS:
        return declared, 0.0
    with _lock:  # the identifier is not documented as thread-safe
        lang, confidence = _identifier().classify(text)
    code = normalize_language(str(lang))
    if declared and (code is None or confidence < MIN_CONFIDENCE):
        return declared, float(confidence)
    return code, float(confidence)


def is_scored_language(lang: str | None) -> bool:
    """The rule for which articles get a tone score: English ('en', 'en-GB'), or no language at all (neither
    declared nor detectable, e.g. a headline too short to detect: scored rather than dropped).

    The SQL views use scored_language_sql(), the same rule; tests/unit/test_one_home.py checks they agree.
    """
    return lang is None or lang.strip().lower().startswith("en")


def scored_language_sql(column: str = "a.language") -> str:
    """is_scored_language as a SQL condition on `column`."""
    return f"({column} IS NULL OR lower({column}) LIKE 'en%')"


def detect_languages(articles: Sequence[Article]) -> int:
    """Set the language of articles from their title and text (offline model); the number whose language was set
    or changed.

    An article whose source declared no language gets the detected one. A declared language stands, except when
    it and a confident detection (MIN_CONFIDENCE, on at least MIN_CHARS letters) disagree about whether the text
    is English, which is what the language decides (tone, and stories by words, are for English only): an English
    feed that declares `de`, or a German item in a feed declared `en-US`, would otherwise be left unscored, or
    scored by an English lexicon. Two other languages are not switched (a detector confuses close ones: Danish and Norwegian
    Bokmål, Hindi and Marathi), and a headline-only item keeps its declaration (a headline is a weak sample)."""
    n = 0
    for art in articles:
        if art.language and (art.text_source == "none" or _agrees(art)):
            continue
        text = art.title if art.text_source == "none" else f"{art.title}\n{art.text[:DETECT_CHARS]}"
        code, confidence = detect_language(text)
        if not code:
            continue
        contradicted = confidence >= MIN_CONFIDENCE and is_scored_language(code) != is_scored_language(art.language)
        if not art.language or contradicted:
            art.language = code
            n += 1
    return n


def english_share(text: str, words: int = SAMPLE_WORDS) -> float | None:
    """The share of English stop words among the first `words` words of `text` (None when it has none)."""
    from newswatch.text.terms import STOPWORDS

    sample = text[: words * 12]
    if sample.isascii():  # the same words as the pattern, lowered at once (per character in ASCII)
        found = sample.lower().translate(_ASCII_NON_LETTERS).split()[:words]
    else:
        found = [w.lower() for w in _SAMPLE_WORD.findall(sample)[:words]]
    if not found:
        return None
    return sum(map(STOPWORDS.__contains__, found)) / len(found)


def _agrees(art: Article) -> bool:
    """Whether the article's words plainly agree with its declared language about English (see ENGLISH_SHARE), so
    the model need not be asked. A text whose first SAMPLE_WORDS words do not settle it is looked at again over its
    first LONG_SAMPLE_WORDS (a headline in capitals, a list of bullet points, a byline at the top lower the share of
    a short sample): the model, and its load of 0.67 s of CPU in the process, only for what still disagrees."""
    english = is_scored_language(art.language)
    for words in (SAMPLE_WORDS, LONG_SAMPLE_WORDS):
        share = english_share(f"{art.title}\n{art.text[:words * 12]}", words)
        if share is None or (share >= ENGLISH_SHARE if english else share <= OTHER_SHARE):
            return True
    return False
