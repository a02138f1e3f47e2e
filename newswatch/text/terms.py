"""Terms of a text: lowercased word tokens with dotted acronyms folded, and the content terms that carry meaning.

One tokenizer for everything that weighs words (topics, stories, corpus statistics). Pure computation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from newswatch.text.dedup import split_terms

_ACRONYM = re.compile(r"\b[^\W\d_](?:\.[^\W\d_])+\.?(?!\w)")  # U.S. U.S U.K. a.m.

_STOPWORD_TEXT = """
    a about above after again against all almost also although am among an and another any are around as at
    be became because been before being below between both but by can cannot could did do does doing done down
    during each either else even ever every few for from further had has have having he her here hers herself him
    himself his how however i if in into is it its itself just last least less like made make many may me might
    more most much must my myself neither no nor not now of off often on once one only or other others our ours
    ourselves out over own per perhaps quite rather really s said same say says she should since so some still
    such than that the their theirs them themselves then there these they this those though through thus to too
    toward towards under until up upon us very was we well were what when where whether which while who whom
    whose why will with within without would yet you your yours yourself yourselves t ve ll re d m
    mr mrs ms new also week day days year years today yesterday tuesday monday wednesday thursday friday saturday
    sunday told according time including
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Country acronyms that collide with stopwords once folded; kept as words.
_KEEP = frozenset({"us", "uk", "un", "eu"})
# The stop words content_terms drops (most of the tokens it sees): one set lookup settles them.
_DROPPED = STOPWORDS - _KEEP


def _fold(match: re.Match[str]) -> str:
    return match.group(0).replace(".", "")


def normalize(text: str) -> str:
    """Lowercase and fold dotted acronyms, so 'U.S.' and 'US' read the same."""
    # An acronym is a letter, a dot and a letter at least, so none starts before the first dot with a letter or
    # digit on each side (the regex's letter class is within isalnum); text before that character is only
    # lowercased. Most articles have no such dot (sentence ends are followed by a space), and finding the dots
    # costs a tenth of the regex's scan of the whole text. The character before the one the regex resumes at is
    # not a letter followed by a dot, so no match can start at the cut. Same string as the regex over the whole
    # text: tests/unit/test_fast_paths.py.
    dot = text.find(".", 1)
    last = len(text) - 1
    while 0 < dot < last:
        if text[dot - 1].isalnum() and text[dot + 1].isalnum():
            cut = dot - 2
            if cut <= 0:
                return _ACRONYM.sub(_fold, text).lower()
            return (text[:cut] + _ACRONYM.sub(_fold, text[cut:])).lower()
        dot = text.find(".", dot + 1)
    return text.lower()


def tokenize(text: str) -> list[str]:
    """Lowercased letter/digit tokens of `text`, acronyms folded."""
    return split_terms(normalize(text))


_SPACE = re.compile(r"\s")


def leading_tokens(text: str, count: int) -> list[str]:
    """`tokenize(text)[:count]`, reading only as much of `text` as that needs (a lead of a long article).

    The text is cut at a whitespace character, where no token and no dotted acronym can straddle the cut and
    lowercasing (final sigma included) reads the same context, so the tokens before it are those of the whole
    text; a cut that yields too few tokens is doubled, and a text with no whitespace late enough is read whole.
    """
    cut = count * 12
    while cut < len(text):
        space = _SPACE.search(text, cut)
        if space is None:
            break
        tokens = tokenize(text[: space.start()])
        if len(tokens) >= count:
            return tokens[:count]
        cut *= 2
    return tokenize(text)[:count]


class _Kept(dict[str, str]):
    """token -> the token as first seen if content_terms keeps it (not a stop word, not a single character, not a
    bare number), else "" (falsy, like the empty token, which is dropped too): settled on a token's first sight and
    read from the dict after that, news vocabulary repeats. Emptied when it reaches _KEPT_SIZE tokens, so a long
    run's memory stays bounded.

    Handing back the first-seen string, equal to the token, makes every kept term of the run one object: the dicts
    keyed by terms downstream (the counts, the idf cache, story vectors and centroids) then find a term by
    identity instead of comparing its characters. Equal strings either way, so the same counts and weights."""

    def __missing__(self, token: str) -> str:
        if len(self) >= _KEPT_SIZE:
            self.clear()
        # (A kept acronym is two letters and not in _DROPPED: the same test as "in _KEEP, or neither a stop word
        # nor a single character", in one set lookup for the stop words that are most of the tokens.)
        kept = token not in _DROPPED and len(token) > 1 and not token.isdigit()
        value = self[token] = token if kept else ""
        return value


_KEPT_SIZE = 65_536
_KEPT = _Kept()


def content_terms(tokens: Iterable[str]) -> Counter[str]:
    """Counts of the tokens that carry meaning: not stopwords, not single letters, not bare numbers."""
    # The tokens are filtered before counting, all in C: map calls the dict's own __getitem__ (a Python call only
    # for a token not yet seen), filter drops the "" of the tokens not kept, and Counter counts only the kept
    # tokens, about half of them, as their first-seen objects (_Kept). The counts keep the order of first
    # occurrence (tf-idf sums follow that order), as counting every token and then dropping the others did
    # (tests/unit/test_fast_paths.py compares the two).
    return Counter(filter(None, map(_KEPT.__getitem__, tokens)))
