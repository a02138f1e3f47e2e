"""A rule-based sentence splitter for news text: character spans, abbreviations and quotes handled.

Pure computation on strings; never a model, never a download.
"""

from __future__ import annotations

import re

# Abbreviations, compared lower-case without the period. Titles before a name never end a sentence.
TITLE_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cpt sgt adm cmdr cdr brig sen rep gov pres supt insp rev hon amb atty
    messrs mmes st mt ft dept vs al
    """.split()  # noqa: SIM905
)
# These end a sentence only before a usual sentence opener ("Apple Inc. The ..." but "Apple Inc. Chief ...").
SUFFIX_ABBREVIATIONS = frozenset("jr sr inc corp ltd co bros etc".split())  # noqa: SIM905
# These are abbreviations only before a number ("No. 10", "Jan. 5"); elsewhere they are words ("in the sun.").
NUMBER_ABBREVIATIONS = frozenset(
    """
    no nos art fig vol ch pp sec est approx jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun
    """.split()  # noqa: SIM905
)
# After a dotted acronym ("U.S.", "U.N.") or a suffix abbreviation a sentence ends only when one of these follows.
SENTENCE_STARTERS = frozenset(
    """
    the a an he she it they we i you this that these those there but and or so yet however meanwhile
    in on at for if when while after before as his her its their our my what why how who where
    """.split()  # noqa: SIM905
)

_CLOSERS = "\"'”’)]»"
# A candidate boundary: terminal punctuation, optional closing quotes/brackets, then whitespace. Written
# `[.!?…][.!?…]*` rather than `[.!?…]+` (the same matches): re skips in C to a character of a set a pattern opens
# with, but not of a repeat it opens with, which it tried at every character of the paragraph (twice as slow;
# tests/unit/test_fast_paths.py compares the two).
_BOUNDARY = re.compile(r"[.!?…][.!?…]*[\"'”’)\]»]*(?=\s)")
_PARAGRAPH = re.compile(r"[^\n]+")
_WORD_BEFORE = re.compile(r"([\w.'’-]*)$")  # the definition; `_word_before` reads it backwards
_WORD_CHARS = re.compile(r"[\w.'’-]*")
_WORD_AFTER = re.compile(r"\s*[\"'“‘(\[«]*(\S*)")


def _ends_sentence(para: str, dot_start: int, after: int, terminal: str) -> bool:
    """Decide whether the punctuation at para[dot_start:after] closes a sentence."""
    follow = _WORD_AFTER.match(para, after)
    next_word = follow.group(1) if follow else ""
    if not next_word:
        return True
    if terminal != ".":
        # "?" or "!" inside a quotation followed by a lower-case word ("... now?" he asked) does not end it.
        return not next_word[0].islower()
    if next_word[0].islower():
        return False
    word = _word_before(para, dot_start)
    bare = word.rstrip(".").lower().lstrip("'’-")
    if bare in TITLE_ABBREVIATIONS:
        return False
    if bare in NUMBER_ABBREVIATIONS and next_word[0].isdigit():
        return False
    if len(bare) == 1 and bare.isalpha():  # an initial: "S. Jaishankar", "George W. Bush"
        return False
    if bare in SUFFIX_ABBREVIATIONS or "." in word.strip("."):  # "Inc.", or a dotted acronym: "U.S.", "D.C."
        return next_word.strip("\"'“‘").lower() in SENTENCE_STARTERS
    return True


def _word_before(para: str, end: int) -> str:
    """The word before `end`: `_WORD_BEFORE.search(para, max(0, end - 40), end).group(1)`, the longest run of word
    characters, dots, apostrophes and hyphens ending at `end`, at most 40 characters (bounded: no quadratic scan).

    The search tries every start in the 40 characters, and at each start the class runs on to where it fails; a run
    ending at `end` is the leftmost start that succeeds, so the word is what the class matches read backwards from
    `end` (a class reads one character at a time, the same forwards and backwards): one match over the reversed 40
    characters instead of up to 40 tries, most of the splitter's time (tests/unit/test_fast_paths.py)."""
    run = _WORD_CHARS.match(para[max(0, end - 40) : end][::-1])  # always matches (it may match nothing)
    return para[end - run.end() : end] if run else ""


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans (start, end exclusive), trimmed of whitespace.

    Newlines are paragraph breaks, so a sentence never crosses one. Handles abbreviations (Mr., Gen., Jan.),
    initials, dotted acronyms (U.S.), decimals (3.5 has no space after the dot) and closing quotes.
    """
    spans: list[tuple[int, int]] = []
    for para_match in _PARAGRAPH.finditer(text):
        para = para_match.group(0)
        offset = para_match.start()
        start = 0
        for boundary in _BOUNDARY.finditer(para):
            punct = boundary.group(0).rstrip(_CLOSERS)
            if not _ends_sentence(para, boundary.start(), boundary.end(), punct[-1]):
                continue
            _add_span(spans, para, offset, start, boundary.end())
            start = boundary.end()
        _add_span(spans, para, offset, start, len(para))
    return spans


def _add_span(spans: list[tuple[int, int]], para: str, offset: int, start: int, end: int) -> None:
    chunk = para[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    spans.append((offset + start + lead, offset + start + lead + len(stripped)))
