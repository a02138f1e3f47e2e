"""Fast paths found with the benchmark (docs/performance.md) give exactly what the code they replace gave."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from newswatch.analysis import tone
from tests.support.near_duplicates import near_duplicates_one_by_one

if TYPE_CHECKING:
    from newswatch.analysis.analyzer import Analyzer
    from newswatch.models import Analysis, Article

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
SENTENCES = [
    "The talks were GOOD, but the outcome was terrible!!!",
    "It was kind of a great day :) for the city.",
    "  Leaders did not welcome the deal at all.  ",
    "Officials are extremely worried?",
    "The ceasefire 😀 held overnight.",
    "“Markets fell sharply,” the report said — a grim, grim week.",
    "",
    "No",
    # negation and idiom checks near the start (VADER indexes from the end there) and in the middle
    "Not good at all",
    "no kiss of death here, never so bad",
    "It was the bomb, kind of great",
    "Never this good!",
    "They said it was without doubt the best deal",
    "sort of sad but very happy",
    "yeah right, the shit hit the fan and the food is to die for",
    "no no no good",
    "bad ass move, not kinda nice, hardly a good day, at least not the worst",
    "GOOD not BAD but Great",
]


def _texts() -> list[str]:
    texts = list(SENTENCES)
    folder = SHARED / "corpus" / "sentiment"
    for path in sorted(folder.glob("*.jsonl"))[:1] if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines()[:400]:
            record = json.loads(line)
            texts.append(str(record.get("sentence") or record.get("text") or ""))
    return texts


@pytest.mark.parametrize("text", _texts())
def test_polarity_equals_vader(text: str) -> None:
    assert tone.polarity(text) == tone.analyzer().polarity_scores(text)


def test_polarity_equals_vader_on_rule_dense_text() -> None:
    """tone.polarity (VADER's word loop done by token_valences) gives polarity_scores' rounded figures on random
    text dense with VADER's rules, exclamation and question marks (0-6 of each) and neutral-only sentences."""
    import random

    rng = random.Random(11)
    texts = [f"{t}{'!' * rng.randint(0, 6)}{'?' * rng.randint(0, 6)}" for t in _rule_fuzz(4000, seed=9)]
    texts += ["the talks went on", "on and on ?? ", "table chair!!!!!", "?", "!!"]
    differ = [t for t in texts if tone.polarity(t) != tone.analyzer().polarity_scores(t)]
    assert differ == [], f"{len(differ)} of {len(texts)} texts differ, e.g. {differ[:3]!r}"



def _vader_valences(text: str) -> tuple[list[str], list[str]]:
    """VADER's own per-word valences: polarity_scores' word loop with VADER's class and methods, verbatim
    (vaderSentiment 3.3.2), as float hex strings so that even the sign of a zero must agree."""
    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentiText

    vader = tone.analyzer()
    senti = SentiText(text)
    words = senti.words_and_emoticons
    sentiments: list[float] = []
    for i, item in enumerate(words):
        valence = 0.0
        if item.lower() in BOOSTER_DICT:
            sentiments.append(valence)
            continue
        if i < len(words) - 1 and item.lower() == "kind" and words[i + 1].lower() == "of":
            sentiments.append(valence)
            continue
        sentiments = vader.sentiment_valence(valence, senti, item, i, sentiments)
    sentiments = vader._but_check(words, sentiments)
    return words, [float(v).hex() for v in sentiments]


def _rule_fuzz(count: int, seed: int = 5) -> list[str]:
    """Random word sequences over the words VADER's rules look at (boosters, negations, "no", "never so",
    "without doubt", "least", "kind of", "but", idioms, capitals), so each rule fires in every position."""
    import random

    from vaderSentiment.vaderSentiment import BOOSTER_DICT, NEGATE

    vocab = ["good", "bad", "GOOD", "BAD", "no", "No", "not", "never", "so", "this", "without", "doubt", "least",
             "at", "very", "kind", "of", "but", "BUT", "or", "nor", "the", "shit", "bomb", "to", "die", "for", "kiss",
             "death", "yeah", "right", "sort", "just", "enough", "Great", "great", "terrible", "happy", "sad", "n't",
             "isn't", "hardly", "EXTREMELY", "love", "hate", "!", "?", "bus", "stop", "a", "ass", "badass",
             "beating", "heart", ":)", "Not", "(good)", "'bad'", "...", "--"]
    vocab += sorted(BOOSTER_DICT) + list(NEGATE)
    rng = random.Random(seed)
    return [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 12))) for _ in range(count)]


def test_token_valences_equal_vaders_own_word_loop() -> None:
    """tone.token_valences applies VADER's rules itself (lowercasing the words once): every valence is the float
    VADER's own methods give, on the special cases, on rule-dense random text and on real news sentences."""
    texts = list(SENTENCES) + _rule_fuzz(6000)
    folder = SHARED / "corpus" / "sentiment"
    if (folder / "train.jsonl").is_file():
        for line in (folder / "train.jsonl").read_text(encoding="utf-8").splitlines():
            texts.append(str(json.loads(line).get("sentence_normalized") or ""))
    differ = []
    for text in texts:
        words, valences = tone.token_valences(text)
        if (words, [v.hex() for v in valences]) != _vader_valences(text):
            differ.append(text)
    assert differ == [], f"{len(differ)} of {len(texts)} texts differ, e.g. {differ[:3]!r}"


TITLES_AND_TEXTS = [
    ("U.S.", "A.B. talks in the U.K. went well."),
    ("Talks in Washington_DC", "_underscored_ words and 2025 numbers"),
    ("ΟΔΟΣ", "Σ at the start. Then ΟΔΟΣ again"),
    ("", "Only a text with India and Pakistan."),
    ("A headline about India", ""),
    ("Trailing dot a.", "b. c. start"),
    ("Kashmir talks stall", "The state department said Pakistan's army chief met U.S. officials in Islamabad."),
]


def _sample_texts() -> list[tuple[str, str]]:
    folder = Path(__file__).resolve().parents[2] / "samples" / "inbox"
    out = list(TITLES_AND_TEXTS)
    for path in sorted(folder.glob("*")):
        text = path.read_text(encoding="utf-8")
        title, _, body = text.partition("\n")
        out.append((title, body))
    return out


@pytest.mark.parametrize(("title", "text"), _sample_texts())
def test_article_words_equal_separate_tokenisation(title: str, text: str) -> None:
    from newswatch.analysis.topics import ArticleWords, article_terms
    from newswatch.text.terms import content_terms, tokenize

    words = ArticleWords.of(title, text)
    assert words.tokens == tokenize(f"{title}\n{text}")
    assert words.terms == article_terms(title, text)
    assert frozenset(words.terms) == frozenset(content_terms(tokenize(f"{title}\n{text}")))


def test_topics_with_shared_words_equal_topics_without(project: Path) -> None:
    from newswatch.analysis.analyzer import Analyzer
    from newswatch.analysis.topics import ArticleWords
    from newswatch.config import load_settings

    analyzer = Analyzer.from_settings(load_settings(project / "config" / "newswatch.toml"))
    for title, text in _sample_texts():
        assert analyzer.matcher.match(title, text, ArticleWords.of(title, text)) == analyzer.matcher.match(title, text)


def test_load_prior_equals_the_formula_line_by_line() -> None:
    import gzip
    import math
    from importlib import resources

    from newswatch.text.corpus_stats import DOC_LENGTH, load_prior

    data = resources.files("newswatch.text").joinpath("data", "prior_df_en.tsv.gz").read_bytes()
    expected = {}
    for line in gzip.decompress(data).decode("utf-8").splitlines():
        if line and not line.startswith("#"):
            term, _, zipf = line.partition("\t")
            expected[term] = 1.0 - math.exp(-(10 ** (int(zipf) / 100.0 - 9)) * DOC_LENGTH)
    assert load_prior() == expected


def test_lowered_text_matches_like_ignorecase_outside_the_unsafe_characters() -> None:
    """`_Matcher.hits` runs a case-sensitive regex over text.lower() unless the text has a `_FOLD_UNSAFE`
    character: for every other code point, lowering keeps the length, \\w and \\s, and a pattern character from
    `_LOWER_SAFE` matches it case-insensitively exactly when it matches its lower case."""
    import re

    from newswatch.analysis.actors.matching import _FOLD_UNSAFE, _LOWER_SAFE

    chars = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    safe = _FOLD_UNSAFE.sub("", chars)
    lowered = safe.lower()
    assert len(lowered) == len(safe)
    for cls in (r"\w", r"\s"):
        pattern = re.compile(cls)
        assert [bool(pattern.match(c)) for c in safe] == [bool(pattern.match(c)) for c in lowered]
    # Only characters with a case mapping can match another character case-insensitively.
    cased = "".join(c for c in safe if c.lower() != c or c.upper() != c or c.casefold() != c) + "".join(_LOWER_SAFE)
    for letter in sorted(_LOWER_SAFE):
        folded = {m.group() for m in re.finditer(re.escape(letter), cased, re.IGNORECASE)}
        assert folded == {c for c in cased if c.lower() == letter}, letter


MATCHER_TEXTS = [
    *TITLES_AND_TEXTS,
    ("PAKISTAN and INDIA", "pakistan's Army Chief met the u.s. Secretary of State and IMRAN KHAN."),
    ("TÜRKIYE and türkiye", "Türkiye's envoy met TüRKIYE officials and Turkiye."),
    ("İstanbul talks", "Pakıstan and Pakistan met in the İndia of ſtates; Kelvin \u212a."),  # the unsafe characters
]


@pytest.mark.parametrize(("title", "text"), MATCHER_TEXTS + _sample_texts())
def test_matcher_hits_equal_the_case_insensitive_regex(title: str, text: str) -> None:
    from newswatch.analysis.actors import ActorRegistry
    from newswatch.analysis.actors.matching import _Matcher

    registry = ActorRegistry.load(Path(__file__).resolve().parents[2] / "config" / "actors.toml")
    fast = _Matcher(registry)
    slow = _Matcher(registry)
    assert fast._lower_regex is not None  # the shipped registry takes the fast path ("Türkiye" included)
    slow._lower_regex = None  # the case-insensitive regex, as before the fast path
    for body in (title, text):
        assert fast.hits(body) == slow.hits(body)
        assert fast.hits(body) == slow.hits(body)  # a second read, from the recent-hits memo
        assert fast.hits(body, longer_names=False) == slow.hits(body, longer_names=False)


@pytest.mark.parametrize(("title", "text"), [
    *MATCHER_TEXTS,
    ("ABCDEF X. Y.Z. O'Neil-Smith McDonald's", "Al-Qaeda a.B Cd.Ef of the Bank of China; iPhone eBay x'y.Z ’Ab Cd’s"),
    *_sample_texts(),
])
def test_candidate_pattern_equals_the_plain_pattern(title: str, text: str) -> None:
    import re

    from newswatch.analysis.actors.candidates import _CANDIDATE, _CAP_WORD, _NAME_JOIN

    plain = re.compile(rf"(?<![\w.])({_CAP_WORD}(?:{_NAME_JOIN}{_CAP_WORD})*(?:['’]s)?)(?!\w)")
    for body in (title, text):
        spans = [(m.span(), m.span(1)) for m in _CANDIDATE.finditer(body)]
        assert spans == [(m.span(), m.span(1)) for m in plain.finditer(body)]


def test_leading_tokens_equal_the_whole_texts_first_tokens() -> None:
    """Stories read an article's first 150 tokens from a piece of the text cut at whitespace; those must be
    exactly the whole text's first tokens, whatever sits at the cut (acronyms, sigma, underscores, marks)."""
    import random

    from newswatch.text.terms import leading_tokens, tokenize

    rng = random.Random(16)
    pieces = ["U.S.", "U.S.A.", "a.m.", "U.K", "ΟΔΟΣ", "ΟΔΟΣ.", "Σ", "snake_case", "don't", "भारत", "İstanbul",
              "2025", "x", "\u200d", "—", "...", "e.g.", "\t", "\n\n", "  ", "Ab.Cd"]
    texts = [t for pair in _sample_texts() for t in pair]
    for _ in range(3000):
        words = [rng.choice(pieces) if rng.random() < 0.4 else "w" + str(rng.randrange(50)) for _ in range(rng.randrange(1, 120))]
        texts.append("".join(w + rng.choice([" ", "", ".", " ", "\n"]) for w in words))
    texts.append("nospaces" * 500)
    for text in texts:
        for count in (1, 2, 3, 7, 150):
            assert leading_tokens(text, count) == tokenize(text)[:count], (text, count)


def test_lower_case_lookup_equals_finding_every_lower_case_word() -> None:
    """find_candidates asks whether the article uses a phrase's first word in lower case by looking that word up
    (`_used_in_lower_case`) instead of collecting every lower-case word of title and text with the regex below.
    Random texts over an alphabet dense in what the regex's edges read: letters of both cases, apostrophes straight
    and curly, hyphens, underscores, digits, accented and other Unicode word characters, spaces and marks."""
    import random
    import re

    from newswatch.analysis.actors.candidates import _used_in_lower_case

    lower_word = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")  # the regex the lookup replaced
    rng = random.Random(17)
    alphabet = ["a", "b", "ab", "ba", "A", "B", "'", "’", "-", "_", "1", "é", "\u212a", "İ", "ı", " ", " ", ".", ",",
                "\n", "(", "\u00a0"]
    queries = ["a", "b", "ab", "ba", "aba", "bab", "k", "i", "é", "a'b", "ab-", "A", ""]
    for _ in range(4000):
        title = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 6)))
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        words = set(lower_word.findall(title)) | set(lower_word.findall(text))
        for query in queries:
            assert _used_in_lower_case(query, title, text) == (query in words), (query, title, text)


def test_candidate_names_equal_the_regex_on_every_word() -> None:
    """`_candidate_names` tries the possessive regex only on words with an apostrophe."""
    import random

    from newswatch.analysis.actors import candidates
    from newswatch.analysis.actors.candidates import _CONNECTORS, _MONTHS_DAYS, _STOP
    from newswatch.analysis.actors.matching import _POSSESSIVE

    def before(words: list[str]) -> list[str]:  # the function as it was
        runs: list[list[str]] = [[]]
        for word in words:
            bare = _POSSESSIVE.sub("", word).strip(".")
            if bare.lower() in _STOP or bare.lower() in _MONTHS_DAYS:
                runs.append([])
                continue
            runs[-1].append(_POSSESSIVE.sub("", word))
            if _POSSESSIVE.search(word):
                runs.append([])
        names = []
        for run in runs:
            while run and run[0].lower() in _CONNECTORS:
                run = run[1:]
            while run and run[-1].lower() in _CONNECTORS:
                run = run[:-1]
            if sum(1 for w in run if w[:1].isupper()) >= 2:
                names.append(" ".join(run))
        return names

    rng = random.Random(23)
    vocab = ["Ahmed", "Khan's", "Khan’s", "O'Neil", "O’Neil's", "Sharif", "The", "the", "Of", "of", "Al", "Mr.",
             "May", "Monday", "U.S.", "U.S.'s", "Bank", "It's", "s'", "'s", "Smith'sx", "A.", "Jones's.", "X’s’s"]
    for _ in range(5000):
        words = [rng.choice(vocab) for _ in range(rng.randint(1, 7))]
        assert candidates._candidate_names(words) == before(words), words


def test_content_terms_and_tfidf_vectors_equal_their_plain_definitions() -> None:
    """content_terms settles stop words with one set lookup, and tfidf_vector reads cached idf values and a table of
    1 + ln tf: both must give what the plain definitions give, bit for bit, on tokens dense in stop words, kept
    acronyms, single characters, digits and counts past the table."""
    import math
    import random
    from collections import Counter

    from newswatch.text import terms
    from newswatch.text.corpus_stats import CorpusStats, tfidf_vector

    def plain_terms(tokens: list[str]) -> Counter[str]:
        return Counter({t: n for t, n in Counter(tokens).items()
                        if (t in terms._KEEP or (t not in terms.STOPWORDS and len(t) > 1)) and not t.isdigit()})

    def plain_vector(counts: Counter[str], stats: CorpusStats) -> dict[str, float]:
        weights = {t: (1.0 + math.log(c)) * stats.idf(t) for t, c in counts.items() if c > 0}
        norm = math.sqrt(sum(w * w for w in weights.values()))
        return {t: w / norm for t, w in weights.items()} if norm else {}

    rng = random.Random(5)
    pool = [*sorted(terms.STOPWORDS)[:60], "us", "uk", "un", "eu", "a", "x", "7", "2025", "١٢", "pakistan",
            "army", "chief", "talks", "ceasefire", "u", "s", "zz", "quay", "harbour"]
    stats = CorpusStats(df={"pakistan": 40, "army": 3}, n_docs=50)
    for _ in range(2000):
        tokens = [rng.choice(pool) for _ in range(rng.randint(0, 120))]
        counts = terms.content_terms(tokens)
        assert counts == plain_terms(tokens) and list(counts) == list(plain_terms(tokens))
        counts["harbour"] = rng.choice([0, 1, 63, 64, 65, 500])
        assert tfidf_vector(counts, stats) == plain_vector(counts, stats)


def test_normalize_equals_the_acronym_regex_over_the_whole_text() -> None:
    """normalize only lowercases the text before the first dot with a letter or digit on each side and runs the
    acronym regex from there: the same string as the regex over the whole text, with dots at the start and end,
    acronyms at the cut, letters the regex's class leaves out (digits, '_', numerals such as '½') beside dots."""
    import random
    import re

    from newswatch.text import terms

    def plain(text: str) -> str:
        return terms._ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text).lower()

    rng = random.Random(43)
    pieces = ["U.S.", "U.S", "a.m.", "e.g.", "U.K", ".", "..", "x", "X", "7", "_", "½", "²", "Σ", "ΟΔΟΣ", "İ", "é",
              "e\u0301", "भा", "中", " ", "\n", "Ab", "3.5", "www.example.com", "—", "“", "S.A.", "I."]
    texts = [t for pair in _sample_texts() for t in pair]
    texts += ["", ".", "a.", ".a", "a.b", "ab.c", "Washington, D.C.", "U.S.", " U.S.", "x U.S. and U.K.", "ΟΔΟΣ.Σ"]
    for _ in range(20000):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randrange(1, 14))))
    for text in texts:
        assert terms.normalize(text) == plain(text), text
    assert re.fullmatch(r"\S+", terms.normalize("U.S.")) and terms.normalize("Talks in the U.S. went well.") == (
        "talks in the us went well.")


def _story_texts() -> list[str]:
    """The titles and texts of the real story sets (skipped when the shared corpus is absent)."""
    texts = []
    folder = SHARED / "corpus" / "stories"
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts += [str(record.get("title") or ""), str(record.get("text") or "")]
    return texts


def test_split_words_and_terms_equal_the_regex() -> None:
    """split_words and split_terms read an ASCII text (or one whose only other characters are typographic
    punctuation) with str.split: the same words as the regex, on every ASCII character, on random texts dense in
    the separators, their neighbours, marks, word characters outside ASCII, Chinese and kana, and on real texts."""
    import random
    import re

    from newswatch.text import dedup

    def plain_words(text: str) -> list[str]:
        return dedup._WORD.findall(text.replace("_", " "))

    def plain_terms(text: str) -> list[str]:
        text = text.replace("_", " ")
        if not text.isascii() and dedup._UNSPACED.search(text):
            text = dedup._UNSPACED.sub(r" \g<0> ", text)
        return dedup._WORD.findall(text)

    rng = random.Random(35)
    ascii_chars = [chr(c) for c in range(128)]
    others = ["\u00a0", "\u2013", "\u2014", "\u2018", "\u2019", "\u201c", "\u201d", "\u2022", "\u2026", "\u2010",
              "\u2011", "\u2012", "\u2015", "\u201a", "\u201e", "\u2027", "\u2028", "\u3000", "\u200c", "\u200d",
              "\u0301", "\u093e", "é", "ß", "İ", "ı", "Σ", "ς", "½", "²", "١", "भा", "中", "か", "\x85", "\ufeff"]
    texts = ["", " ", "_", "a_b", "U.S.", "don’t", "“Quote”—end…", "x\u00a0y", "naïve", "中文", "a\u2019s"]
    texts += ascii_chars + others
    for _ in range(6000):
        pool = ascii_chars if rng.random() < 0.5 else ascii_chars + others[: rng.choice([9, len(others)])]
        texts.append("".join(rng.choice(pool) for _ in range(rng.randint(0, 40))))
    for _ in range(2000):
        texts.append("".join(rng.choice(["ab", "Cd", "9", " ", "_", *others[:9]]) for _ in range(rng.randint(0, 20))))
    stories = _story_texts()
    texts += stories + [t.lower() for t in stories]
    for text in texts:
        assert dedup.split_words(text) == plain_words(text), text
        assert dedup.split_terms(text) == plain_terms(text), text
    assert dedup._plain_words("talks in the u.s.") == ["talks", "in", "the", "u", "s"]  # the fast path is taken
    assert dedup._plain_words("“talks” — resumed") == ["talks", "resumed"]
    assert dedup._plain_words("naïve") is None and re.fullmatch(r"\w+", "ï")


def test_masked_text_equals_writing_over_a_list_of_its_characters() -> None:
    """find_candidates masks registry hits by slicing (`_masked`) instead of writing "|" over list(body) hit by hit
    and joining: the same string for spans overlapping, nested, touching, empty, unsorted and at both ends, and for
    the matcher's own hits on real texts."""
    import random

    from newswatch.analysis.actors.candidates import _masked
    from newswatch.analysis.actors.registry import ActorRegistry

    def plain(body: str, spans: list[tuple[int, int]]) -> str:  # the code it replaced
        masked = list(body)
        for start, end in spans:
            masked[start:end] = "|" * (end - start)
        return "".join(masked)

    rng = random.Random(29)
    for _ in range(20000):
        body = "".join(rng.choice("ab |’\n") for _ in range(rng.randint(0, 30)))
        spans = []
        for _ in range(rng.randint(0, 6)):
            start = rng.randint(0, len(body))
            spans.append((start, rng.randint(start, min(len(body), start + rng.choice([0, 1, 3, 10])))))
        if rng.random() < 0.5:
            spans.sort()
        assert _masked(body, spans) == plain(body, spans), (body, spans)
    matcher = ActorRegistry.load(Path(__file__).resolve().parents[2] / "config" / "actors.toml").matcher()
    bodies = [t for pair in _sample_texts() for t in pair] + _story_texts()
    for body in bodies:
        spans = [(hit.start, hit.possessive_end) for hit in matcher.hits(body)]
        assert _masked(body, spans) == plain(body, spans)


def test_word_before_a_dot_equals_the_regex_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sentence splitter reads the word before a dot by matching the reversed 40 characters before it
    (`_word_before`) instead of searching them with `_WORD_BEFORE`: the same word on random paragraphs dense in the
    class's edges (dots, both apostrophes, hyphens, underscores, marks, other scripts) at every position, and the
    same sentences on real texts as with the search put back."""
    import random

    from newswatch.text import sentences

    def plain(para: str, end: int) -> str:
        before = sentences._WORD_BEFORE.search(para, max(0, end - 40), end)
        return before.group(1) if before else ""

    rng = random.Random(31)
    pieces = ["a", "B", "7", ".", "'", "’", "-", "_", " ", "\t", "é", "\u0301", "भा", "中", "?", "!", "”", "(", "—",
              "Mr.", "U.S.", "x" * 45]
    for _ in range(4000):
        para = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        for end in range(len(para) + 1):
            assert sentences._word_before(para, end) == plain(para, end), (para, end)

    texts = [t for pair in _sample_texts() for t in pair] + _story_texts()
    texts += ["".join(rng.choice([*pieces, ". ", ". The ", ". he ", "\n"]) for _ in range(60)) for _ in range(2000)]
    fast = [sentences.split_sentences(t) for t in texts]
    monkeypatch.setattr(sentences, "_word_before", plain)
    assert [sentences.split_sentences(t) for t in texts] == fast


def test_token_valences_equal_vader_on_idiom_dense_text() -> None:
    """`_special_idioms` returns at once when no idiom or booster phrase can open or close around the word: random
    text over the phrases' words (as cased and lowered), lexicon words and fillers, so every phrase stands at every
    distance from a lexicon word, still gives VADER's own valences."""
    import random

    from vaderSentiment.vaderSentiment import BOOSTER_DICT, SPECIAL_CASES

    phrase_words = sorted({w for key in (*SPECIAL_CASES, *BOOSTER_DICT) if " " in key for w in key.split(" ")})
    vocab = [*phrase_words, *(w.upper() for w in phrase_words), "good", "bad", "love", "hate", "great", "happy",
             "sad", "table", "went", "not", "but", "very", "the", "of", "Shit!", "heart.", "(bomb)"]
    rng = random.Random(37)
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 10))) for _ in range(20000)]
    differ = [t for t in texts if (lambda w, v: (w, [x.hex() for x in v]))(*tone.token_valences(t)) != _vader_valences(t)]
    assert differ == [], f"{len(differ)} of {len(texts)} texts differ, e.g. {differ[:3]!r}"


def test_whitespace_substitutions_are_skipped_only_when_they_change_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """clean_text runs _SPACES, and html_to_text _ANY_SPACE, only when `_collapses` says the substitution can change
    the value, and clean_text runs _NEWLINES only on a value with a line break. `_collapses` is exactly "the
    substitution changes the value", for both patterns, on every character up to U+3000 and on every string of up to
    4 characters over whitespace of every kind, the parser's block mark and letters; clean_text and html_to_text give
    what they gave with every substitution run, there, on random longer strings and on real texts and feed documents."""
    import itertools
    import random

    from newswatch.text import normalize

    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    alphabet = [*spaces, normalize._BREAK, "a", "é", "\x00", "<p>", "</p>", "<br>", "&amp;"]
    values = [chr(c) for c in range(0x3001)] + ["".join(p) for n in range(5) for p in itertools.product(
        [" ", "\n", "\t", "\r", "\x0b", "\x1f", "\xa0", "\u2028", normalize._BREAK, "a", "é"], repeat=n)]
    rng = random.Random(41)
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(5, 40))) for _ in range(5000)]
    texts = [t for pair in _sample_texts() for t in pair] + _story_texts()
    for name in ("feeds-real", "feeds-hostile"):  # whole feed documents: markup, indentation, every line ending
        folder = SHARED / "corpus" / name
        files = sorted(f for f in folder.rglob("*") if f.is_file() and f.stat().st_size < 2_000_000) if folder.is_dir() else []
        texts += [f.read_bytes().decode("utf-8", "replace") for f in files]
    for value in values + texts:
        assert normalize._collapses(value, line_breaks=False) == (normalize._SPACES.sub(" ", value) != value), repr(value)
        assert normalize._collapses(value, line_breaks=True) == (normalize._ANY_SPACE.sub(" ", value) != value), repr(value)
        assert "\n" in value or normalize._NEWLINES.sub("\n", value) == value
    fast = [(normalize.clean_text(v), normalize.html_to_text(v)) for v in values + texts]
    monkeypatch.setattr(normalize, "_collapses", lambda value, line_breaks: True)
    assert [(normalize.clean_text(v), normalize.html_to_text(v)) for v in values + texts] == fast



def test_no_emoji_is_ascii() -> None:
    """tone.polarity takes an ASCII text for one without emoji: VADER's emoji lexicon has no ASCII character (the
    translation reads one character at a time), and ASCII texts dense in what emoji look like score as VADER's own."""
    import random

    vader = tone.analyzer()
    assert not any(len(key) == 1 and key.isascii() for key in vader.emojis)
    rng = random.Random(53)
    pieces = [":)", ":(", "<3", ";-)", "xD", ":-P", "(c)", "(R)", "TM", "good", "bad", "!", "?", " ", "not"]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert tone.polarity(text) == vader.polarity_scores(text), text


def test_straightening_quotes_skips_ascii_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The actor-tone model straightens quotes with `_straight`, which returns an ASCII text as it is: no character
    `_QUOTES` maps is ASCII, so it equals text.translate(_QUOTES) on every character up to U+3000 and on random texts
    dense in quotes of both kinds, and the model's sentence analysis and context tokens of real sentences are those
    computed with the translation."""
    import random

    from newswatch.analysis.actors import model

    assert all(code > 127 for code in model._QUOTES)
    rng = random.Random(59)
    pieces = ['"', "'", "\u201c", "\u201d", "\u2018", "\u2019", "\u00a0", " ", "a", "B", "é", "—", "don't", "U.S."]
    texts = [chr(c) for c in range(0x3001)] + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 20)))
                                               for _ in range(5000)]
    for text in texts:
        assert model._straight(text) == text.translate(model._QUOTES), repr(text)
    sentences = [t for t in _texts() if t]
    fast = [(model._sentence_analysis.__wrapped__(s), model._context_tokens.__wrapped__(s)) for s in sentences]
    monkeypatch.setattr(model, "_straight", lambda text: text.translate(model._QUOTES))
    assert [(model._sentence_analysis.__wrapped__(s), model._context_tokens.__wrapped__(s)) for s in sentences] == fast


def test_surrogates_are_looked_for_only_outside_ascii() -> None:
    """without_surrogates searches only the fields that are not ASCII (a surrogate is not): the same entry as
    searching every field, for random entries whose fields mix ASCII, lone surrogates of both halves and other
    characters, and for the samples' texts."""
    import dataclasses
    import random

    from newswatch.models import RawEntry
    from newswatch.text import normalize

    def plain(raw: RawEntry) -> RawEntry:  # the function as it was
        changed = {name: normalize._SURROGATE.sub("\ufffd", value) for name in normalize._RAW_TEXT_FIELDS
                   if isinstance(value := getattr(raw, name), str) and normalize._SURROGATE.search(value)}
        return dataclasses.replace(raw, **changed) if changed else raw

    rng = random.Random(61)
    pieces = ["a", " ", "\ud800", "\udfff", "\udc00", "é", "\ufffd", "\U0001f600", "\x7f", "<p>"]
    values = [t for pair in _sample_texts() for t in pair]
    for _ in range(3000):
        values.append("".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))))
    for _ in range(3000):
        fields = {name: rng.choice(values) for name in ("outlet", "title", "summary", "content", "link", "guid",
                                                           "author", "origin")}
        raw = RawEntry(source="s", language=rng.choice([None, "en", "e\ud800"]), **fields)
        assert normalize.without_surrogates(raw) == plain(raw)


def _english_share_by_the_pattern(text: str, words: int) -> float | None:
    """english_share as it was: the word pattern over the sample, each word lowered and looked up."""
    import re

    from newswatch.text.terms import STOPWORDS

    found = re.findall(r"[^\W\d_]+", text[: words * 12])[:words]
    if not found:
        return None
    return sum(1 for w in found if w.lower() in STOPWORDS) / len(found)


def test_english_share_equals_the_word_pattern() -> None:
    """english_share reads an ASCII sample with str.translate and str.split instead of the pattern `[^\\W\\d_]+`:
    the same share (and None) as the pattern on every ASCII character, on random texts dense in stop words in any
    case, digits, underscores, ASCII punctuation and control characters, non-ASCII letters, marks and sigma (whose
    lower case depends on its neighbours), at every sample length the language check uses and a few cut mid-word."""
    import random

    from newswatch.text.language import LONG_SAMPLE_WORDS, SAMPLE_WORDS, english_share

    for c in range(128):
        for text in (chr(c), f"the{chr(c)}and", f"x{chr(c)}THE{chr(c)}of{chr(c)}"):
            for words in (1, 2, 3, SAMPLE_WORDS):
                assert english_share(text, words) == _english_share_by_the_pattern(text, words), (repr(text), words)
    rng = random.Random(35)
    pieces = ["the", "The", "THE", "and", "of", "Of", "to", "in", "is", "it", "news", "Market", "x", "a", "I",
              "ΣΑΣ", "Σ", "straße", "İs", "é", "café", "naïve", "\u0301", "ﬁ", "ǅ", "один", "и", "7", "42", "_",
              "__the__", "a1b", " ", "  ", "\n", "\t", "\x1c", "\x1f", "\x0b", "-", "'", "’", ".", ",", "—", "\u00a0",
              "é", "the_and", "O'Neil", "U.S.", "don't", "\x00", "ß", "Ⅻ", "²"]
    for _ in range(6000):
        text = "".join(rng.choice(pieces) + rng.choice(["", " ", " ", "\n", ".", "_", "1"])
                       for _ in range(rng.randint(0, 120)))
        if rng.random() < 0.5:
            text = text.encode("ascii", "ignore").decode("ascii")
        for words in (rng.randint(1, 12), SAMPLE_WORDS, LONG_SAMPLE_WORDS):
            assert english_share(text, words) == _english_share_by_the_pattern(text, words), (repr(text), words)


def _context_tokens_by_one_scan(sentence: str) -> tuple[list[int], list[int], list[str]]:
    """The actor-tone model's context tokens as they were computed: one scan of the whole lowered sentence."""
    from newswatch.analysis.actors import model

    matches = list(model._CONTEXT_TOKEN.finditer(model._straight(sentence).lower()))
    return [m.start() for m in matches], [m.end() for m in matches], [m.group() for m in matches]


def test_context_tokens_cut_chunk_by_chunk_equal_one_scan_of_the_sentence() -> None:
    """`model._context_tokens` cuts each whitespace-split chunk of the lowered sentence alone (cached per chunk): the
    same offsets and tokens as one scan of the whole sentence, on every character up to U+3000 alone and between
    letters, on random texts dense in what the pattern's edges read (apostrophes and contractions, dots between
    letters, hyphens, digits, every whitespace character, underscores, letters that lower to two characters or by
    context, curly quotes), and on real sentences and story texts. `str.split` splits exactly where the pattern's
    `\\s` matches. Chunks of one shape (a word of a-z and 0-9 between ASCII marks other than the apostrophe, hyphen
    and underscore, or such marks alone) are cut without the pattern."""
    import random
    import re
    import string

    from newswatch.analysis.actors import model

    space = re.compile(r"\s")
    assert all(chr(c).isspace() == bool(space.match(chr(c))) for c in range(0x110000))
    spaces = [chr(c) for c in range(0x3001) if chr(c).isspace()]
    rng = random.Random(61)
    pieces = ["n't", "n", "'", "t", "'s", "'re", "'ve", "'ll", "'d", "'m", "s", "re", "ll", "d", "m", "don", "u.s.",
              "a.", ".", "b", "-", "--", "x-y", "7", "0", "_", "A", "İ", "Σ", "ΟΣ", "é", "\u0301", "\u2019", "\u201c",
              '"', ",", "?", "can't", "rock'n'roll", "e.g.", "ok'", "'99", "\u00a0", "\u200b", "\u180e", "\u2014"]
    pieces += list(string.punctuation) + ["word", "x", "y7", "99"]
    texts = [chr(c) for c in range(0x3001)] + [f"a{chr(c)}b n{chr(c)}'t {chr(c)}s" for c in range(0x3001)]
    texts += ["".join(rng.choice(pieces + spaces) if rng.random() < 0.3 else rng.choice(pieces)
                      for _ in range(rng.randint(0, 30))) for _ in range(20000)]
    texts += [t for t in _texts() + _story_texts() if t]
    for text in texts:
        assert model._context_tokens.__wrapped__(text) == _context_tokens_by_one_scan(text), repr(text)
    model._CHUNKS.clear()  # and from an empty table
    for text in texts[-200:]:
        assert model._context_tokens.__wrapped__(text) == _context_tokens_by_one_scan(text), repr(text)


def _segment_sums_into_zeros(matrix, rows, values, starts, n_classes):  # type: ignore[no-untyped-def]
    """The actor-tone model's `_segment_sums` as it was: every segment's sum placed into a zero matrix."""
    import numpy as np

    out = np.zeros((len(starts), n_classes))
    if not rows:
        return out
    weighted = matrix.take(rows, axis=0) * np.asarray(values)[:, None]
    bounds = np.asarray(starts + [len(rows)])
    filled = np.flatnonzero(bounds[1:] > bounds[:-1])
    out[filled] = np.add.reduceat(weighted, bounds[filled], axis=0)
    return out


def test_segment_sums_and_intercept_equal_the_sums_placed_into_rows_of_the_intercept() -> None:
    """`model._segment_sums` returns reduceat's sums at once when no segment is empty, and `_probabilities` adds the
    intercept to the sums instead of the sums to rows of the intercept: the same floats, bit for bit, on random
    segments (empty ones first, last, in the middle or none; one row; signed zeros, huge and tiny values) and
    random intercepts."""
    import random

    import numpy as np

    from newswatch.analysis.actors import model

    rng = random.Random(71)
    matrix = np.array([[rng.choice([0.0, -0.0, 1e300, -1e-308, rng.uniform(-3, 3)]) for _ in range(3)]
                       for _ in range(50)])
    for _ in range(5000):
        sizes = [rng.choice([0, 1, 1, 2, 5, 20]) for _ in range(rng.randint(1, 12))]
        starts = [sum(sizes[:k]) for k in range(len(sizes))]
        rows = [rng.randrange(50) for _ in range(sum(sizes))]
        values = [rng.choice([1.0, -0.0, rng.uniform(-2, 2)]) for _ in rows]
        fast = model._segment_sums(matrix, rows, values, starts, 3)
        assert fast.tobytes() == _segment_sums_into_zeros(matrix, rows, values, starts, 3).tobytes(), sizes
        intercept = np.array([rng.choice([0.0, -0.0, rng.uniform(-1, 1)]) for _ in range(3)])
        logits = np.tile(intercept, (len(starts), 1))
        logits += _segment_sums_into_zeros(matrix, rows, values, starts, 3)
        assert (fast + intercept).tobytes() == logits.tobytes()


def test_predict_many_labels_equal_max_over_a_dict_of_probabilities(monkeypatch: pytest.MonkeyPatch) -> None:
    """`ToneModel.predict_many` picks the label without a dict per mention: the same (label, score) as
    max(LABELS, key={class: probability}.__getitem__) and P(positive) - P(negative), for rows with ties, NaN and
    signed zeros, whatever the model's order of its classes."""
    import itertools
    import random

    import numpy as np

    from newswatch.analysis.actors import model

    rng = random.Random(73)
    picks = [0.0, -0.0, 0.2, 0.5, 0.5, 1.0, float("nan")]
    table = np.array([list(row) for row in itertools.product(picks, repeat=3)]
                     + [[rng.random() for _ in range(3)] for _ in range(3000)])
    shipped = model.shipped_model()
    for classes in itertools.permutations(model.LABELS):
        tone_model = model.ToneModel.__new__(model.ToneModel)
        tone_model.classes = classes
        monkeypatch.setattr(tone_model, "_probabilities", lambda items: table[: len(items)], raising=False)
        expected = []
        for row in table.tolist():
            probs = dict(zip(classes, row, strict=True))
            expected.append((max(model.LABELS, key=probs.__getitem__), probs["positive"] - probs["negative"]))
        got = tone_model.predict_many([("x", 0, 1)] * len(table))
        assert repr(got) == repr(expected), classes
    assert shipped.predict_many([("Smith spoke.", 0, 5)])[0][0] == shipped.predict("Smith spoke.", 0, 5)


def test_feature_rows_equal_the_rows_of_the_named_features_for_any_index() -> None:
    """The actor-tone model's rows (`_FeatureRows.rows`: groups s and v as precomputed rows, the word table looked up
    before `_word_rows` is called, bigrams looked up one by one; and the arrays of `_FeatureRows.rows_of`) are the
    rows of the names `extract_features` gives that the index knows, in the same order with the same values: for the shipped model's index, for indexes that
    know a random part of its names and every s and v name, and with the word table cleared or filled; on random
    sentences dense in VADER's words, negations, clause breaks and empty words, mentions at random token spans and
    offsets, and on real sentences."""
    import random

    from newswatch.analysis.actors import model

    shipped = model.shipped_model()
    groups = shipped.groups
    names = list(shipped._index)
    extra = [f"s:{n}" for n in ("compound", "pos", "neg", "cbin+", "cbin-", "cbin0")]
    extra += [f"v:{side}{where}{bucket}:{sign}" for side in "LR" for where in "so" for bucket in "123" for sign in "pn"]
    extra += [f"v:{n}" for n in ("win8", "clause", "left", "right")]
    rng = random.Random(67)
    indexes = [dict(shipped._index)]
    for _ in range(5):
        part = rng.sample(names, len(names) // 2) + rng.sample(extra, rng.randint(0, len(extra)))
        indexes.append({name: i for i, name in enumerate(dict.fromkeys(part))})
    known_words = sorted({name.split(":")[-1] for name in names if name.startswith("a:")})[::50]
    vocab = known_words + ["good", "bad", "great", "terrible", "not", "never", "very", "hardly", "but", "while", "and",
                           "said", "love", "hate", "kind", "of", "war", ",", ";", "(", "\u2014", "-", "...", "'s", '"',
                           "no", "GREAT", "!", "?", "he", "according", "to", "2025", "Smith's", "\u201c"]
    sentences = [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 30))) for _ in range(1500)]
    sentences += [t for t in _texts() if t.strip()]
    for index in indexes:
        rows = model._FeatureRows(index, groups)
        items: list[tuple[str, int, int]] = []
        wants: list[list[tuple[int, float]]] = []
        for k, sentence in enumerate(sentences):
            if k % 500 == 0:
                rows._words.clear()
            words = model._sentence_words(sentence, "stem" in groups)
            for _ in range(2):
                start = rng.randrange(len(sentence) + 1)
                end = rng.randint(start, len(sentence))
                named = model._named_features(words, sentence, start, end, frozenset(groups))
                want = [(index[name], value) for name, value in named.items() if name in index]
                assert list(rows.rows(words, sentence, start, end).items()) == want, (sentence, start, end)
                items.append((sentence, start, end))
                wants.append(want)
        # The same rows from the arrays (`_FeatureRows.prepare` and `entries`), many mentions at once.
        for at in range(0, len(items), 40):
            assert rows.rows_of(items[at : at + 40]) == wants[at : at + 40], items[at : at + 40]

def test_rows_inserted_with_one_duckdb_thread_equal_those_with_several(tmp_path: Path) -> None:
    """Database.one_thread (the ingest stores its batches with one DuckDB thread) stores the same rows in the same
    order as several: a batch larger than DuckDB's vectors and row groups' parts, of every
    column type the flow writes (text outside ASCII, NULLs, floats, wide integers, times), read back in the
    table's order; and through ON CONFLICT DO NOTHING the same rows (the first of each key), whose order several
    threads do not keep (one thread does)."""
    import random

    from storage.db import Database

    rng = random.Random(3)
    start = datetime(2025, 4, 1, tzinfo=UTC)
    words = ["talks", "ceasefire", "Übereinkunft", "北京", "«quote»", "", "naïve", "😀"]
    rows = [(f"id{i % 7000:05d}", i, rng.randrange(2**64) if i % 5 else None,
             " ".join(rng.choice(words) for _ in range(rng.randrange(8))) if i % 11 else None,
             rng.uniform(-1, 1), start + timedelta(seconds=rng.randrange(10**7), microseconds=i))
            for i in range(30_000)]
    columns = ["article_id", "idx", "wide", "text", "score", "seen_at"]
    stored = []
    for one in (False, True):
        with Database(tmp_path / f"n{one}.duckdb") as db:
            db.execute("CREATE TABLE t (article_id VARCHAR, idx INTEGER PRIMARY KEY, wide UBIGINT, text VARCHAR, "
                       "score DOUBLE, seen_at TIMESTAMPTZ)")
            db.execute("CREATE TABLE u (article_id VARCHAR PRIMARY KEY, n INTEGER)")
            if one:
                with db.one_thread():
                    assert db.scalar("SELECT current_setting('threads')") == 1
                    db.insert_rows("t", columns, rows)
                    db.insert_rows("u", ["article_id", "n"], [(r[0], r[1]) for r in rows],
                                   on_conflict="ON CONFLICT DO NOTHING")
            else:
                db.execute("SET threads = 4")  # more than one, whatever the machine
                db.insert_rows("t", columns, rows)
                db.insert_rows("u", ["article_id", "n"], [(r[0], r[1]) for r in rows],
                               on_conflict="ON CONFLICT DO NOTHING")
            stored.append((db.query("SELECT * FROM t"), sorted(db.query("SELECT * FROM u"))))
    assert stored[0] == stored[1]
    assert stored[0][0] == [tuple(r) for r in rows]
    assert stored[0][1] == [(f"id{i:05d}", i) for i in range(7000)]  # the first row of each key, in both

def test_score_valence_equals_vaders() -> None:
    """tone.score_valence gives VADER's score_valence figures, the same floats (hex, so even a zero's sign), on random
    valence lists dense in zeros of both signs, ints, values that tip pos against neg, with 0-6 "!" and "?" in the
    text; and vader_pass' scores are those of VADER's score_valence over its own valences for the rule-dense texts."""
    import random

    vader = tone.analyzer()

    def hexed(scores: tuple[float, ...]) -> list[str]:
        return [float(x).hex() for x in scores]

    rng = random.Random(61)
    values = [0.0, -0.0, 0, 0.0, 1.9, -1.9, 2.5, -2.5, 0.5, -0.5, 3, -2, 1.0, -1.0, 0.3, -0.74, 2.293, -3.1]
    for _ in range(20000):
        valences = [rng.choice(values) for _ in range(rng.randint(0, 14))]
        text = "".join(rng.choice(["a", " ", "!", "?", "?!"]) for _ in range(rng.randint(0, 10)))
        want = vader.score_valence(list(valences), text)
        got = tone.score_valence(valences, text)
        assert hexed(got) == hexed((want["compound"], want["pos"], want["neg"], want["neu"])), (valences, text)
    for text in _rule_fuzz(2000, seed=63):
        valences = tone.token_valences(text)[1]
        want = vader.score_valence(list(valences), text)
        assert hexed(tone.vader_pass(text)[1]) == hexed((want["compound"], want["pos"], want["neg"], want["neu"]))


def test_token_valences_read_only_the_scored_words() -> None:
    """token_valences computes valences only for the lexicon's words less the boosters (`_scored_words`), returns
    at once for a text with none (a "but" there changes nothing), and gives floats where VADER's idioms are ints
    ("the shit", "yeah right"): VADER's own word loop's valences, as float hex, on texts built for those cases."""
    import random

    from vaderSentiment.vaderSentiment import BOOSTER_DICT

    lexicon = tone.analyzer().lexicon
    assert tone._scored_words() == {w for w in lexicon if w not in BOOSTER_DICT}
    rng = random.Random(67)
    vocab = ["but", "BUT", "But,", "the", "table", "went", "very", "kind", "of", "not", "no", "yeah", "right", "shit",
             "the", "bomb", "to", "die", "for", "kiss", "death", "good", "GOOD", "bad", "least", "at"]
    texts = ["but the table", "the table but", "BUT", "yeah right", "it was the shit", "yeah right good but bad",
             "kind of", "very kind of", "kind of good"]
    texts += [" ".join(rng.choice(vocab) for _ in range(rng.randint(1, 9))) for _ in range(5000)]
    for text in texts:
        words, valences = tone.token_valences(text)
        assert all(type(v) is float for v in valences), text
        assert (words, [v.hex() for v in valences]) == _vader_valences(text), text


def test_word_start_regex_finds_the_spans_of_the_lowered_regex(tmp_path: Path) -> None:
    """`_Matcher._word_starts` (a regex that consumes the character before a surface) gives the spans of
    `_lower_regex` (a lookbehind there) on random lowered texts dense in the registry's surfaces, their pieces and
    what may stand before and after them (non-ASCII letters and marks, underscores, digits, dots, apostrophes, curly
    quotes, line breaks, nothing; every ASCII character), as written and as ASCII (the regex without the lookbehind);
    and a registry with a surface ending in another character keeps the lookbehind:
    consuming the character before would miss "Xland (X)(Y) Land"'s second surface."""
    import random

    from newswatch.analysis.actors import ActorRegistry
    from newswatch.analysis.actors.matching import _Matcher

    registry = ActorRegistry.load(Path(__file__).resolve().parents[2] / "config" / "actors.toml")
    matcher = _Matcher(registry)
    assert matcher._start_regex is not None and matcher._lower_regex is not None
    surfaces = sorted({s for a in registry.actors for s, _ in a.surfaces()})
    pieces = [*surfaces, *(s[: len(s) // 2] for s in surfaces), *(s.split(" ")[-1] for s in surfaces)]
    gaps = ["", " ", " ", "  ", "\n", ".", "_", "é", "\u0301", "7", "-", "'", "’", "“", "”", "(", ")", "—", ",", "ß"]
    rng = random.Random(71)
    for _ in range(4000):
        text = "".join(rng.choice(gaps) + rng.choice(pieces) for _ in range(rng.randint(1, 8))) + rng.choice(gaps)
        for lowered in (text.lower(), text.lower().encode("ascii", "ignore").decode("ascii")):  # both regexes
            assert matcher._word_starts(lowered) == [m.span() for m in matcher._lower_regex.finditer(lowered)], text
    for c in range(128):  # every ASCII character before and after a surface
        lowered = f"{chr(c)}pakistan{chr(c)}india {chr(c)}"
        assert matcher._word_starts(lowered) == [m.span() for m in matcher._lower_regex.finditer(lowered)], c
    odd = ActorRegistry.load(_write_actors(tmp_path, '[[actor]]\nid = "x-land"\nname = "Xland (X)"\nkind = "country"\n'
                                           '[[actor]]\nid = "y-land"\nname = "(Y) Land"\nkind = "country"\n'))
    odd_matcher = _Matcher(odd)
    assert odd_matcher._start_regex is None
    assert odd_matcher._word_starts("xland (x)(y) land") == [(0, 9), (9, 17)]


def _write_actors(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "actors.toml"
    path.write_text(body, encoding="utf-8")
    return path


def test_word_valence_steps_equal_vaders_on_every_three_words_before() -> None:
    """`_word_valence` writes VADER's loop over the three words before a lexicon word out one step a word: every
    combination of three words before it from the words the steps read (boosters of both signs and in capitals,
    negations with and without "n't", "never so", "without doubt", "least", "no", lexicon words, fillers) gives
    VADER's own valences, as float hex (zeros of both signs: "no good" makes 0.0 and a negation -0.0)."""
    import itertools

    before = ["very", "VERY", "barely", "KIND", "not", "isn't", "they'dn't", "never", "so", "this", "without",
              "doubt", "least", "at", "no", "or", "good", "the", "table"]
    targets = ["good", "GOOD", "bad", "no good", "shit"]
    differ = []
    for words in itertools.product(before, repeat=3):
        for target in targets:
            for text in (" ".join((*words, target)), " ".join((*words, target, "but", "fine"))):
                got_words, valences = tone.token_valences(text)
                if (got_words, [v.hex() for v in valences]) != _vader_valences(text):
                    differ.append(text)
    assert differ == [], f"{len(differ)} texts differ, e.g. {differ[:3]!r}"


def test_sentence_boundary_pattern_equals_the_repeat_it_was_written_as() -> None:
    """`sentences._BOUNDARY` opens with one terminal mark and then a repeat of them (so that re skips to a mark in
    C) instead of `[.!?…]+`: the same matches on random paragraphs dense in terminal marks, closing quotes and
    brackets, whitespace of several kinds, letters and other scripts, and on the samples and story sets."""
    import random
    import re

    from newswatch.text import sentences

    plain = re.compile(r"[.!?…]+[\"'”’)\]»]*(?=\s)")
    rng = random.Random(73)
    pieces = [".", "!", "?", "…", "...", "?!", '"', "'", "”", "’", ")", "]", "»", " ", "  ", "\t", "\u00a0", "\u2003",
              "a", "B", "7", "é", "中", "(", "“", "-", "Mr.", "U.S."]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 40))) for _ in range(6000)]
    texts += [t for pair in _sample_texts() for t in pair] + _story_texts()
    for text in texts:
        assert [m.span() for m in sentences._BOUNDARY.finditer(text)] == [m.span() for m in plain.finditer(text)], text


def test_fold_unsafe_equals_the_pattern_search() -> None:
    """`matching._fold_unsafe` asks `in` of each of `_FOLD_UNSAFE`'s three characters, and nothing of ASCII text:
    the same answer as the pattern's search on every code point alone and in a text, and on random texts mixing
    ASCII, the three, their neighbours and other scripts."""
    import random

    from newswatch.analysis.actors.matching import _FOLD_UNSAFE, _fold_unsafe

    for c in range(0x110000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        for text in (chr(c), f"Pakistan {chr(c)} and India"):
            assert _fold_unsafe(text) == bool(_FOLD_UNSAFE.search(text)), hex(c)
    rng = random.Random(79)
    pieces = ["a", "I", "i", "s", "S", " ", "\u0130", "\u0131", "\u017f", "\u012f", "\u0132", "\u017e", "\u0180", "é",
              "’", "中", "Istanbul"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert _fold_unsafe(text) == bool(_FOLD_UNSAFE.search(text)), text


def test_ambiguity_hints_rule_out_what_reading_them_phrase_by_phrase_did() -> None:
    """`_Matcher._excluded` reads each entry's hint from `_unless` (looked up once, its phrases as tuples for one
    endswith / startswith): the same answer as the hint read phrase by phrase, for every entry of the shipped
    registry, on random texts that put the hints' phrases (any case, commas, line breaks, dots, pieces of them)
    before and after each of the entry's surfaces."""
    import random

    from newswatch.analysis.actors import ActorRegistry
    from newswatch.analysis.actors.matching import _Matcher
    from newswatch.analysis.actors.registry import surface_key

    matcher = _Matcher(ActorRegistry.load(Path(__file__).resolve().parents[2] / "config" / "actors.toml"))

    def plain(entry: object, text: str, start: int, end: int) -> bool:
        hint = matcher.ambiguity.get((entry.actor_id, surface_key(entry.surface)))  # type: ignore[attr-defined]
        if hint is None:
            return False
        before = " " + " ".join(text[max(0, start - 60) : start].lower().replace(",", " ").split())
        after = " ".join(text[end : end + 60].lower().replace(",", " ").split()) + " "
        if any(before.endswith(" " + phrase) for phrase in hint.unless_prev):
            return True
        return any(after.startswith(phrase + " ") or after.startswith(phrase + ".") for phrase in hint.unless_next)

    phrases = sorted({p for h in matcher.ambiguity.values() for p in (*h.unless_prev, *h.unless_next)})
    pieces = [*phrases, *(p.upper() for p in phrases), *(p[:-1] for p in phrases), "the", "of", "x" * 70, ""]
    gaps = [" ", "  ", ", ", ",", "\n", ". ", ".", "-", ""]
    rng = random.Random(83)
    entries = [e for bucket in matcher.entries.values() for e in bucket]
    hinted = [e for e in entries if matcher._unless.get((e.actor_id, e.surface))]
    for _ in range(6000):
        entry = rng.choice(hinted if rng.random() < 0.7 else entries)
        left = "".join(rng.choice(pieces) + rng.choice(gaps) for _ in range(rng.randint(0, 3)))
        right = "".join(rng.choice(gaps) + rng.choice(pieces) for _ in range(rng.randint(0, 3))) + rng.choice(gaps)
        text = left + entry.surface + right
        start, end = len(left), len(left) + len(entry.surface)
        assert matcher._excluded(entry, text, start, end) == plain(entry, text, start, end), (entry, text)


def test_analyses_in_passes_equal_one_article_at_a_time(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`Analyzer.analyze_many` makes each part's pass over all the articles (actors and candidate names, sentence and
    actor tone, topics and terms, fingerprints): every analysis equals the one made for its article alone, and in any order,
    on the samples and texts with actors, titles, other languages, headline-only articles and repeated sentences."""
    import random
    from datetime import UTC, datetime

    from newswatch.analysis.analyzer import Analyzer
    from newswatch.config import load_settings
    from newswatch.models import Article

    analyzer = Analyzer.from_settings(load_settings(project / "config" / "newswatch.toml"))
    now = datetime(2025, 5, 10, 12, tzinfo=UTC)
    texts = _sample_texts() + [("Pakistan's army chief", "Pakistan's army chief met U.S. officials. " * 3),
                               ("Beschuss an der Grenze", "Beim Beschuss an der Grenze wurden Häuser beschädigt.")]
    articles = [
        Article(article_id=f"a{i}", source="feed", outlet="Sample", url=None, guid=None, title=title, summary="",
                text=text, text_source="none" if i % 7 == 3 else "summary", published_at=now,
                published_estimated=False, first_seen_at=now, language="de" if "Beim" in text else "en",
                content_hash=str(i), origin=None)
        for i, (title, text) in enumerate(texts)
    ]
    alone = [repr(_one_article_analysis(analyzer, a)) for a in articles]
    assert [repr(analyzer.analyze_many([a])[0]) for a in articles] == alone
    assert [repr(x) for x in analyzer.analyze_many(articles)] == alone
    shuffled = list(range(len(articles)))
    random.Random(89).shuffle(shuffled)
    assert [repr(x) for x in analyzer.analyze_many([articles[i] for i in shuffled])] == [alone[i] for i in shuffled]
    assert repr(analyzer.analyze(articles[-3])) == alone[-3]
    # The actor-tone model scores the mentions of SCORED_TOGETHER articles at once: groups of three the same.
    from newswatch.analysis import analyzer as analyzer_module

    monkeypatch.setattr(analyzer_module, "SCORED_TOGETHER", 3)
    assert [repr(x) for x in analyzer.analyze_many(articles)] == alone


def _one_article_analysis(analyzer: Analyzer, article: Article) -> Analysis:
    """`Analyzer.analyze` as it was, every part in turn for one article: the definition the passes must equal."""
    from newswatch.analysis import actors
    from newswatch.analysis.topics import ArticleWords
    from newswatch.models import Analysis
    from newswatch.text import dedup
    from newswatch.text.language import is_scored_language
    from newswatch.text.sentences import split_sentences

    english = is_scored_language(article.language)
    scored = english and article.text_source != "none"
    sentences = tone.score_sentences(article.text) if scored else []
    spans = [(s.start, s.end) for s in sentences] if sentences else split_sentences(article.text)
    when = article.published_at.astimezone(analyzer.tz).date()
    mentions = actors.match_actors(analyzer.registry, article.title, article.text, spans, when)
    actor_tones = actors.score_actor_tones(mentions, sentences, article.text) if scored else []
    tone.vader_pass.cache_clear()
    candidates = actors.find_candidates(analyzer.registry, article.title, article.text) if english else {}
    words = ArticleWords.of(article.title, article.text)
    topics = analyzer.match_topics(article.title, article.text, article.origin, article.source, words)
    return Analysis(article_id=article.article_id, sentences=sentences, tone=tone.aggregate_tone(sentences),
                    mentions=mentions, actor_tones=actor_tones, candidates=candidates, topics=topics,
                    simhash=dedup.simhash(f"{article.title}\n{article.text}"), terms=frozenset(words.terms))


# Links, ids and hrefs as written in a feed (XML text): absolute, relative, odd, with "&" escaped once and twice,
# entities, marks, other schemes, spaces, mojibake, and a bare "&" (not well-formed: the loose parser).
_LINK_VALUES = [
    "https://news.sample.invalid/a/b", "http://news.sample.invalid/a", "/rel/path", "rel", "../up/x", "//other.invalid/x",
    "https://h.sample.invalid/x?", "https://h.sample.invalid/x#", "https://h.sample.invalid/x;",
    "https://h.sample.invalid/x;p", "https://h.sample.invalid/p?a=1&amp;b=2", "https://h.sample.invalid/p&amp;amp;",
    "https://h.sample.invalid/p&amp;amp;?q=1", "https://h.sample.invalid/a&amp;b/c", "https://h.sample.invalid/p&amp;amp;;",
    "https://h.sample.invalid/p&amp;lt;", "https://h.sample.invalid/p?x=&amp;amp;y", "https://h.sample.invalid/x&#38;y",
    "https://h.sample.invalid/x&#38;#38;y", "https://h.sample.invalid/x&lt;y", "HTTPS://h.sample.invalid/x",
    "Https://H.sample.invalid/X", "javascript:alert(1)", "tag:h.sample.invalid,2020:1", "urn:uuid:0001", "4956764",
    "c7e3cca2-665e", "https://h.sample.invalid/é", "https://h.sample.invalid/Ã©", "https://h.sample.invalid/%C3%A9",
    "http:///x", "https:x", "https://h.sample.invalid/\tx", "  https://h.sample.invalid/sp  ", "mailto:a@b.invalid",
    "https://[::1/x", "https://h.sample.invalid:99999/x", "ftp://f.sample.invalid/x", "https://h.sample.invalid/a/../b",
    "https://h.sample.invalid/a?b#", "?q=1", "#frag", "", "https://h.sample.invalid/x&amp;",
    "https://h.sample.invalid/x & y",
]


def _link_variant_feeds(count: int, seed: int) -> list[bytes]:
    """RSS and Atom documents whose items take random links, guids (permalinks or not), ids and hrefs from
    _LINK_VALUES; some name an xml:base, some a base in upper case."""
    import random

    rng = random.Random(seed)
    permalink = ["", ' isPermaLink="false"', ' isPermaLink="true"']
    absolute = [v for v in _LINK_VALUES if v.startswith(("http://", "https://"))]
    docs = []
    for n in range(count):
        def pick(values: list[str]) -> str:  # mostly absolute links, so that many documents pass the check
            return rng.choice(absolute if values is _LINK_VALUES and rng.random() < 0.8 else values)

        base = pick(["", "", "", ' xml:base="https://b.sample.invalid/d/"', ' xml:base="sub/"', ' XML:BASE = "x/"'])
        if n % 2:
            items = "".join(
                f"<item{pick(['', base])}><title>t{i}</title>"
                + (f"<link>{pick(_LINK_VALUES)}</link>" if rng.random() < 0.7 else "")
                + (f"<guid{pick(permalink)}>{pick(_LINK_VALUES)}</guid>" if rng.random() < 0.7 else "")
                + (f'<atom:link rel="{pick(["alternate", "enclosure"])}" href="{pick(_LINK_VALUES)}"/>'
                   if rng.random() < 0.3 else "")
                + "<description>d</description></item>" for i in range(rng.randint(1, 2)))
            docs.append(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"'
                        f"{base}><channel><title>c</title><link>{pick(_LINK_VALUES)}</link>{items}</channel></rss>"
                        .encode())
        else:
            entries = "".join(
                f"<entry{pick(['', base])}><title>t{i}</title><id>{pick(_LINK_VALUES)}</id>"
                + "".join(f'<link rel="{pick(["alternate", "related", "enclosure"])}" href="{pick(_LINK_VALUES)}"/>'
                          for _ in range(rng.randint(0, 2)))
                + "<summary>s</summary></entry>" for i in range(rng.randint(1, 2)))
            docs.append(f'<?xml version="1.0" encoding="{pick(["utf-8", "iso-8859-1"])}"?>'
                        f'<feed xmlns="http://www.w3.org/2005/Atom"{base}><title>f</title>'
                        f'<link href="{pick(_LINK_VALUES)}"/>{entries}</feed>'.encode())
    return docs


def _feed_documents() -> list[tuple[str, bytes]]:
    """The bench workload's, the samples' and the shared real and hostile feed documents (the last skipped when the
    shared corpus is absent)."""
    from bench.workload import generate

    docs = list(generate(4, 10, 30, prefix="bench").feeds.items())
    root = Path(__file__).resolve().parents[2]
    folders = [root / "samples" / "feeds", SHARED / "corpus" / "feeds-real", SHARED / "corpus" / "feeds-hostile"]
    for folder in folders:
        files = sorted(f for f in folder.rglob("*") if f.is_file() and f.stat().st_size < 2_000_000) if folder.is_dir() else []
        docs += [(f.name, f.read_bytes()) for f in files]
    return docs


def _read_links(parsed: object) -> list[tuple[object, ...]]:
    """What parse_feed reads of feedparser's result that its base can change: every link, id and link href."""
    items = [parsed.get("feed", {}) or {}, *(parsed.get("entries", []) or [])]  # type: ignore[attr-defined]
    return [(dict.get(i, "link"), dict.get(i, "id"), [dict.get(x, "href") for x in dict.get(i, "links", None) or []])
            for i in items]


def test_feeds_are_parsed_without_a_base_only_when_it_changes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """When `_base_changed_nothing` accepts feedparser's parse of a document without its base (the Content-Location),
    every link, id and href is what the parse with the base gives, for odd bases too; parse_feed gives the same entries,
    warnings and errors with the base always given. It fails when a link with "&" in its path is taken (an "&amp;amp;"
    the join's ";" rule reads differently) or when empty hrefs are not checked (feedparser makes them the base)."""
    from newswatch.errors import ParseError
    from newswatch.sources import feeds

    docs = _feed_documents() + [(f"variant{i}", d) for i, d in enumerate(_link_variant_feeds(600, 7))]
    bases = ["https://news.sample.invalid/feed", "https://h.sample.invalid/a/b?", "http://h.sample.invalid/x;",
             "https://h.sample.invalid/a/../b/", "HTTPS://H.sample.invalid", "https://h.sample.invalid/é/"]
    taken = 0
    for name, body in docs:
        if body[:2] == b"\x1f\x8b":
            continue
        body, _ = feeds.strip_entity_declarations(body)
        if feeds.names_a_base(body.lower()):
            continue
        for base in bases:
            without = feeds.feedparse_document(body, {"content-type": "application/xml"})
            if feeds._base_changed_nothing(without, base):
                taken += 1
                with_base = feeds.feedparse_document(body, {"content-type": "application/xml", "content-location": base})
                assert _read_links(without) == _read_links(with_base), (name, base)
    assert taken > 100  # 174 without the shared corpus

    def parse_all() -> list[object]:
        out: list[object] = []
        for name, body in docs:
            for url in ("https://news.sample.invalid/feed", "https://h.sample.invalid/a/b?"):
                try:
                    out.append(feeds.parse_feed(body, source=name, outlet=name, url=url, language="en"))
                except ParseError as exc:
                    out.append(("error", str(exc)))
        return out

    real = feeds.feedparse_document
    fast = parse_all()
    monkeypatch.setattr(feeds, "_feedparse_with_base", feeds.feedparse_document)
    assert parse_all() == fast
    monkeypatch.undo()
    # A feedparser without its private URL join (a later release may move it) parses every document with the base.
    monkeypatch.setattr(feeds, "_urljoin", None)
    seen: list[dict[str, str]] = []
    monkeypatch.setattr(feeds, "feedparse_document", lambda body, headers: seen.append(headers) or real(body, headers))
    assert parse_all() == fast
    assert seen and all("content-location" in headers for headers in seen)


def test_simhash_word_hashes_table_equals_blake2b_per_word() -> None:
    """simhash reads each word's blake2b digest from `_WORD_HASHES`: a small table (emptied many times over) returns
    each word's own digest, and simhash gives the fingerprint computed with blake2b called per word, on random texts
    over a small and a large vocabulary (ASCII and other scripts) and the story sets' texts. It fails when a miss
    stores the digest under another word, or the table is not emptied when full."""
    import hashlib
    import random

    import numpy as np

    from newswatch.text import dedup

    rng = random.Random(3)
    vocab = ["".join(rng.choice("abcdeéжσ中0") for _ in range(rng.randint(1, 6))) for _ in range(3000)]
    small = dedup._WordHashes(50)
    for word in rng.choices(vocab, k=20_000):
        assert small[word] == hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
        assert len(small) <= 50

    def plain(text: str) -> int:  # simhash as defined, blake2b called for every word
        words = dedup.split_words(text.lower())
        if len(words) < dedup.MIN_WORDS:
            return 0
        tok = np.array([int.from_bytes(hashlib.blake2b(w.encode("utf-8"), digest_size=8).digest(), "big")
                        for w in words], dtype=np.uint64)
        n = len(tok) - dedup.SHINGLE + 1
        grams = tok[:n].copy()
        for k in range(1, dedup.SHINGLE):
            grams = dedup._mix(grams ^ dedup._rotl(tok[k : k + n], 17 * k))
        bits = np.unpackbits(grams.astype(">u8").view(np.uint8)).reshape(len(grams), 64)
        return int.from_bytes(np.packbits(2 * bits.sum(axis=0, dtype=np.int64) - len(grams) > 0).tobytes(), "big")

    texts = [" ".join(rng.choices(vocab[:v], k=rng.randint(0, 200))) for v in (40, 3000) for _ in range(300)]
    texts += _story_texts()
    for text in texts:
        assert dedup.simhash(text) == plain(text), text[:80]


def test_content_terms_filtered_before_counting_equal_counting_first() -> None:
    """content_terms filters the tokens through a dict of settled tokens before counting: the counts and their order
    of first occurrence are those of counting every token and dropping the others, on generated tokens, real story
    texts, and with the dict emptied every few tokens."""
    import random
    from collections import Counter

    from newswatch.text import terms

    def counting_first(tokens: list[str]) -> list[tuple[str, int]]:
        return [(t, n) for t, n in Counter(tokens).items()
                if (t in terms._KEEP or (t not in terms.STOPWORDS and len(t) > 1)) and not t.isdigit()]

    rng = random.Random(36)
    pool = [*sorted(terms.STOPWORDS), "us", "uk", "un", "eu", "x", "7", "2025", "١٢", "²³", "中", "pakistan", "talks"]
    token_lists = [[rng.choice(pool) for _ in range(rng.randint(0, 200))] for _ in range(500)]
    token_lists += [terms.tokenize(text) for text in _story_texts()]
    for tokens in token_lists:
        assert list(terms.content_terms(tokens).items()) == counting_first(tokens)
        assert list(terms.content_terms(iter(tokens)).items()) == counting_first(tokens)
    size = terms._KEPT_SIZE
    try:
        terms._KEPT_SIZE = 5
        terms._KEPT.clear()
        for tokens in token_lists[:50]:
            assert list(terms.content_terms(tokens).items()) == counting_first(tokens)
        assert len(terms._KEPT) <= 5
    finally:
        terms._KEPT_SIZE = size


def test_topic_rules_on_spaced_text_equal_the_lookbehind_and_bisect() -> None:
    """_Text joins the tokens behind a leading space: a prefix is found with str.find and a phrase with a pattern
    opening with that space. Same answers as bisecting the sorted distinct tokens and a pattern opening with the
    lookbehind (?<!\\S) over the tokens joined without it, on generated texts dense in near misses and real ones."""
    import random
    import re
    from bisect import bisect_left

    from newswatch.analysis.topics import _Rule, _Text
    from newswatch.text.terms import tokenize

    def plain_hits(rule: _Rule, tokens: list[str]) -> bool:
        distinct = sorted(set(tokens))
        joined = " ".join(tokens)

        def has_prefix(prefix: str) -> bool:
            i = bisect_left(distinct, prefix)
            return i < len(distinct) and distinct[i].startswith(prefix)

        if not rule.words.isdisjoint(tokens) or any(has_prefix(p) for p in rule.prefixes):
            return True
        for first, is_prefix, pattern in rule.phrases:
            # The pattern is the plain one with its opening lookbehind replaced by the space.
            assert pattern.pattern.startswith(" ") and pattern.pattern.endswith(r"(?!\S)")
            plain = re.compile(r"(?<!\S)" + pattern.pattern[1:])
            if (has_prefix(first) if is_prefix else first in tokens) and plain.search(joined):
                return True
        return False

    rules = [_Rule.compile(r) for r in ["pakistan*", "india pakistan", "india pak*", "ind* pak*", "a b", "b a*",
                                        "army chief | cease*", "u.s. army", "中国", "ab* b", "x", "kashmir valley*"]]
    rules.append(_Rule.merge(rules[:6]))  # type: ignore[arg-type]
    rng = random.Random(37)
    vocab = ["india", "indian", "pakistan", "pakistani", "pak", "a", "b", "ab", "abb", "ba", "army", "chief",
             "ceasefire", "us", "u", "s", "中", "国", "x", "xx", "kashmir", "valley", "valleys", "ndia"]
    texts = [" ".join(rng.choice(vocab) for _ in range(rng.randint(0, 12))) for _ in range(3000)]
    texts += ["", "India-Pakistan", "U.S. Army", "中国人", "Kashmir Valleys."] + _story_texts()
    for text in texts:
        tokens = tokenize(text)
        spaced = _Text(tokens)
        for rule in rules:
            assert rule.hits(spaced) == plain_hits(rule, tokens), (rule.text, text)




def _fingerprint_cases(seed: int) -> list[tuple[list[tuple[str, int]], list[tuple[str, int]]]]:
    """(new, existing) fingerprint lists: random ones, clusters of copies 0-5 bits from a few centres (so matches at
    exactly 3 and 4 bits and ties), zeros, signed values and wider ones, own stored copies, ids repeated in the batch,
    empty lists, and fingerprints that all share their bands."""
    import random

    rng = random.Random(seed)

    def flip(value: int, bits: int) -> int:
        for bit in rng.sample(range(64), bits):
            value ^= 1 << bit
        return value

    cases = []
    for _ in range(12):
        centres = [rng.getrandbits(64) for _ in range(rng.randint(1, 8))]

        def value(centres: list[int] = centres) -> int:
            roll = rng.random()
            if roll < 0.08:
                return 0
            if roll < 0.3:
                return rng.getrandbits(64)
            return flip(rng.choice(centres), rng.choice([0, 0, 1, 2, 3, 3, 4, 4, 5]))

        existing = [(f"e{i}", value()) for i in range(rng.choice([0, 1, 5, 60, 300]))]
        existing = [(i, v - (1 << 64) if v >= 1 << 63 and rng.random() < 0.3 else v) for i, v in existing]
        new = [(f"n{j}", value()) for j in range(rng.choice([0, 1, 4, 50, 200]))]
        if rng.random() < 0.3:  # values given signed, or with bits above the 64th: their low 64 bits count
            new = [(i, v - (1 << 64) if v >= 1 << 63 and rng.random() < 0.5 else v | (rng.random() < 0.1) << 70)
                   for i, v in new]
        for _ in range(rng.randint(0, 6)):  # its own stored copy, near or exact; an id repeated in the batch
            if existing:
                article_id, stored = rng.choice(existing)
                new.append((article_id, flip(stored & (2**64 - 1), rng.randint(0, 2))))
            if new:
                new.append((rng.choice(new)[0], value()))
        rng.shuffle(new)
        cases.append((new, existing))
    shared = rng.getrandbits(48)  # all alike in their three upper bands: every pair shares bands
    alike = [(shared << 16) | rng.getrandbits(16) for _ in range(300)]
    cases.append(([(f"n{j}", v) for j, v in enumerate(alike[200:])], [(f"e{i}", v) for i, v in enumerate(alike[:200])]))
    cases.append(([("a", 5), ("b", 5), ("a", 7)], [("a", 5), ("c", 0), ("d", 4)]))
    return cases


@pytest.mark.parametrize("seed", range(8))
def test_near_duplicates_by_bands_equal_all_pairs(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """find_near_duplicates compares only the pairs agreeing on a band (pigeonhole) when they are few: the same links
    as the rule pair by pair, with bands forced (no limit on their pairs) and by the default choice, and per item
    the same (distance, position) as all pairs wherever that is within max_distance."""
    import numpy as np

    from newswatch.text import dedup

    distances = [0, 1, 2, 3, 4, 5, 7, 8, 12, 63]
    for new, existing in _fingerprint_cases(seed):
        expected = {d: near_duplicates_one_by_one(new, existing, d) for d in distances}
        for d in distances:
            assert dedup.find_near_duplicates(new, existing, d) == expected[d]
        items = [(i, v & dedup._MASK) for i, v in new if v & dedup._MASK]
        candidates = [(i, v & dedup._MASK) for i, v in existing if v & dedup._MASK] + items
        values = np.array([v for _, v in candidates], dtype=np.uint64)
        n = len(candidates) - len(items)
        every_d, every_pos = dedup._closest_all_pairs(values, n, [i for i, _ in candidates])
        with monkeypatch.context() as forced:
            forced.setattr(dedup, "_BAND_PAIRS", 10**9)
            forced.setattr(dedup, "_BAND_PAIR_COST", 0)
            for d in distances:
                assert dedup.find_near_duplicates(new, existing, d) == expected[d]
                banded = dedup._closest_by_bands(values, n, [i for i, _ in candidates], d)
                if d > dedup._BAND_MAX_DISTANCE:
                    assert banded is None
                    continue
                assert banded is not None
                near = [(x, p) if x <= d else (65, 0) for x, p in zip(every_d, every_pos, strict=True)]
                assert list(zip(*banded, strict=True)) == near

def _story_vectors() -> list[dict[str, float]]:
    """Story vectors of the real story sets' articles (none when the shared corpus is absent) and generated ones:
    weights of either sign, terms shared, vectors empty."""
    import random

    from newswatch.analysis import stories
    from newswatch.models import StoryItem
    from newswatch.text.corpus_stats import CorpusStats

    texts = _story_texts()
    stats = CorpusStats()
    when = datetime(2025, 4, 1, tzinfo=UTC)
    vectors = [stories.story_vector(StoryItem(f"a{k}", "o", texts[k], texts[k + 1], when), stats)
               for k in range(0, len(texts), 2)]
    rng = random.Random(37)
    pool = [f"t{k}" for k in range(60)]
    vectors += [{t: rng.uniform(-1.0, 1.0) * 10.0 ** rng.randint(-8, 3) for t in rng.sample(pool, rng.randint(0, 40))}
                for _ in range(600)]
    return vectors


def test_story_cosine_by_map_equals_the_sum_over_the_vector() -> None:
    """stories._cosine makes the centroid lookups and the products with map: the same float as the plain sum over
    the vector (same products, same order), on centroids grown member by member from real and generated vectors."""
    import math

    from newswatch.analysis import stories

    def plain(vec: dict[str, float], story: stories._Open) -> float:
        if story.norm2 <= 0.0:
            return 0.0
        centroid = story.centroid
        return sum(w * centroid.get(t, 0.0) for t, w in vec.items()) / math.sqrt(story.norm2)

    vectors = _story_vectors()
    opened = [stories._Open(first=datetime(2025, 4, 1, tzinfo=UTC)) for _ in range(7)]
    for k, vec in enumerate(vectors):
        for story in opened:
            assert repr(stories._cosine(vec, story)) == repr(plain(vec, story))
        stories._add(opened[k % 7], vec)
    assert stories._cosine({}, opened[0]) == 0.0


def test_band_index_first_near_equals_the_smallest_near_key() -> None:
    """BandIndex.first_near (the stories' copy lookup) gives min(near(value).keys() & keys) on crowded fingerprints
    (a few bits flipped from a few seeds, so values share bands and lie near the distance limit), signed values and
    key sets that hold some, none or all of the keys filed."""
    import random

    from newswatch.text.dedup import BandIndex

    rng = random.Random(37)
    seeds = [rng.getrandbits(64) for _ in range(4)]

    def crowded() -> int:
        value = rng.choice(seeds)
        for _ in range(rng.randint(0, 6)):
            value ^= 1 << rng.randrange(64)
        return value - (1 << 64) if value >= 1 << 63 and rng.random() < 0.5 else value

    for distance in (0, 1, 3, 5):
        index = BandIndex(distance)
        for _ in range(300):
            value = crowded() or 1
            keys = set(rng.sample(range(40), rng.randint(0, 40)))
            assert index.first_near(value, keys) == min(index.near(value).keys() & keys, default=None)
            index.add(rng.randrange(40), value)


def test_story_items_text_chosen_in_sql_equals_summary_or_lead(tmp_path: Path) -> None:
    """Store.story_items chooses an item's text in SQL (summary, else the body's first 2,000 characters, else "")
    and builds the items from tuples: the same items, stories and first_seen as reading both columns and taking
    `summary or lead or ""` in Python, on summaries and bodies that are NULL, empty, blank, short, long and not ASCII,
    articles outside the range or without a topic, with and without a stored story."""
    import random

    from newswatch.models import StoryItem
    from storage.db import Database
    from storage.store import Store

    rng = random.Random(37)
    start = datetime(2025, 4, 1, tzinfo=UTC)
    texts = [None, "", " ", "\n", "Talks resume.", "naïve Übereinkunft 北京 😀 " * 200, "x" * 1999, "y" * 2000 + "z"]
    with Database(tmp_path / "s.duckdb") as db:
        articles = [(f"a{i:03d}", "src", f"outlet{i % 3}", f"Title {i}", rng.choice(texts), rng.choice(texts),
                     start + timedelta(hours=rng.randrange(-30, 100)), False, start, "h", rng.randrange(2**64)
                     if i % 4 else None, rng.choice([None, "en", "de"])) for i in range(300)]
        db.insert_rows("article", ["article_id", "source", "outlet", "title", "summary", "body", "published_at",
                                   "published_estimated", "first_seen_at", "content_hash", "simhash", "language"],
                       articles)
        db.insert_rows("article_topic", ["article_id", "topic", "score", "via"],
                       [(a[0], "t", 1.0, "rule") for a in articles if rng.random() < 0.8])
        db.insert_rows("story", ["story_id", "headline", "first_seen", "last_seen", "computed_at"],
                       [("s1", "h", start - timedelta(hours=5), start, start)])
        db.insert_rows("story_article", ["article_id", "story_id"], [(a[0], "s1") for a in articles[:40]])
        since, end = start, start + timedelta(hours=48)
        rows = db.query_dicts(
            "SELECT a.article_id, a.outlet, a.title, a.summary, left(a.body, 2000) AS lead, a.published_at, "
            "a.simhash, a.language, sa.story_id, s.first_seen AS story_first FROM article a "
            "LEFT JOIN story_article sa USING (article_id) LEFT JOIN story s ON s.story_id = sa.story_id "
            "WHERE a.published_at >= $since AND a.published_at < $end "
            "AND EXISTS (SELECT 1 FROM article_topic t WHERE t.article_id = a.article_id)",
            {"since": since, "end": end})
        expected = [(StoryItem(article_id=r["article_id"], outlet=r["outlet"], title=r["title"],
                               text=r.get("summary") or r.get("lead") or "", published_at=r["published_at"],
                               simhash=r.get("simhash"), language=r.get("language")), r["story_id"], r["story_first"])
                    for r in rows]
        got = Store(db).story_items(since, end)
    assert len(expected) > 50 and {item.text for item, _, _ in expected} >= {"", " ", "x" * 1999, "y" * 2000}
    assert sorted(got, key=repr) == sorted(expected, key=repr)


def test_content_terms_keys_are_the_first_seen_token_objects() -> None:
    """content_terms counts each kept term as the token object first seen (terms._Kept hands it back; "" for a
    token dropped): the same counts in the same order as the plain definition, on copies of equal tokens that are
    distinct objects, the empty token, stop words and numbers, and every term of two lists is one object."""
    import random
    from collections import Counter

    from newswatch.text import terms

    def plain(tokens: list[str]) -> list[tuple[str, int]]:
        return [(t, n) for t, n in Counter(tokens).items()
                if (t in terms._KEEP or (t not in terms.STOPWORDS and len(t) > 1)) and not t.isdigit()]

    rng = random.Random(37)
    pool = ["", "a", "the", "us", "7", "2025", "talks", "ceasefire", "北京", "naïve", "un", "x1"]
    terms._KEPT.clear()
    lists = [["".join(list(rng.choice(pool))) for _ in range(rng.randint(0, 60))] for _ in range(300)]
    lists += [terms.tokenize(text) for text in _story_texts()[:200]]
    first: dict[str, str] = {}
    for tokens in lists:
        counts = terms.content_terms(tokens)
        assert list(counts.items()) == plain(tokens)
        for term in counts:
            assert first.setdefault(term, term) is term
