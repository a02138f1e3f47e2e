"""Finding registry actors in an article: names, aliases, demonyms, surnames after a full mention, and role
titles resolved by the article's date when the article points to the holder (`_TitleContext`: not someone else's
title, not the office itself, the holder's country named before it).

A surface inside a longer proper name of something else is not a mention (`_drop_longer_names`):
- a name or alias followed by capitalised words is part of that longer name ("U.S. Senate", "Pakistan
  International Airlines", "Beijing Olympics", "China Daily"), unless among the first three of those words is
  a title it qualifies ("U.S. Defense Secretary", "Pakistani Prime Minister"), the next word is a weekday, a
  month or a function word ("Pakistan Tuesday said", "... the U.S. The talks"), or the next word starts another
  registry surface ("Indian Kashmir");
- a demonym is an adjective and stays the country's before capitals ("British Embassy", "American Vince
  Spadea"), except before an organisation or team cue ("American Airlines", "British Broadcasting
  Corporation": `ORG_CUES`);
- "<organisation cue> of <surface>" names the body ("Bank of China", "Organization of American States");
- a person's one-word name after someone else's given name is that other person ("Ivanka Trump", "Jill Biden"),
  not after a stopword or, at a sentence's start, a common English word ("Under Trump", "Unlike Modi");
- a possessive keeps the actor ("Pakistan's Army"), as do lists ("India, Pakistan and China": commas and
  lower-case words end a name); a headline-cased line is left alone, its capitals saying nothing.
The registry's own longer surfaces win first ("Pakistan Army", "UN Security Council"), and an organisation
alias that opens with its country and goes on in lower case ("Pakistani military") also mentions the country.
Word lists chosen on the dev half of a public NER news set (docs/methods.md, "Actor matching").

Lexical and dated; never a model, never network.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from newswatch.analysis.actors.registry import ActorRegistry, Ambiguity, Role, surface_key
from newswatch.models import Mention, Sentence
from newswatch.text.corpus_stats import load_prior, zipf_share
from newswatch.text.terms import STOPWORDS

# --- matching -------------------------------------------------------------------------------------------

_APOSTROPHES = "'’"
_POSSESSIVE = re.compile(r"['’]s(?!\w)")
# Words before a title that mean someone other than the current holder.
_NOT_HOLDER = frozenset(
    {
        "former",
        "ex",
        "deputy",
        "late",
        "then",
        "future",
        "next",
        "assistant",
        "under",
        "vice",
        "acting",
        "caretaker",
        "interim",
        "incoming",
        "prospective",
        "retired",
        "ousted",
        "deposed",
    }
)
# Before a title's qualifier ("former U.S. Secretary of State") the same words, except "under", which before a title
# makes another office ("Under Secretary") but before its qualifier is a preposition ("under Pakistan's army chief").
_NOT_HOLDER_BEFORE_QUALIFIER = _NOT_HOLDER - {"under"}
# Characters where re's IGNORECASE and str.lower() disagree on an ASCII pattern letter: dotted and dotless I
# (U+0130 lowers to two characters; U+0131 matches "i" case-insensitively) and the long s (matches "s").
# tests/unit/test_fast_paths.py checks the list against every code point.
_FOLD_UNSAFE = re.compile("[\u0130\u0131\u017f]")


def _fold_unsafe(text: str) -> bool:
    """Whether text has a `_FOLD_UNSAFE` character: `_FOLD_UNSAFE.search(text)`, asked of each of the three with `in`
    (a scan in C that skips ahead; the pattern's class was tried at every character of the text, about 8 µs an
    article) and not at all in ASCII text (tests/unit/test_fast_paths.py compares the two)."""
    return not text.isascii() and ("\u0130" in text or "\u0131" in text or "\u017f" in text)


# Characters a surface may have for that fast path (after lowering): ASCII and Latin-1's lower-case letters
# ("Türkiye"), each matched case-insensitively by exactly the characters that lower to it.
_LOWER_SAFE = frozenset(
    [chr(c) for c in range(0x20, 0x7F) if not chr(c).isupper()]
    + [chr(c) for c in range(0xDF, 0x100) if c != 0xF7]
    + list(_APOSTROPHES)
)
_RECENT = 4  # texts whose hits `_Matcher.hits` keeps: one article's title and text
_COORDINATORS = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s*&\s*)$")


def _atoms(surface: str) -> list[tuple[str, str]]:
    """(trie key, regex) per character: dots optional, any whitespace between words, either apostrophe.

    A word of 2-5 capitals written without dots also takes optional dots after each letter ("UN Security
    Council" finds "U.N. Security Council"), as dotted surfaces already match undotted text.
    """
    atoms: list[tuple[str, str]] = []
    dotted = _undotted_acronym_letters(surface)
    for i, ch in enumerate(surface):
        if ch == ".":
            atoms.append((".", r"\.?"))
        elif ch.isspace():
            if not atoms or atoms[-1][0] != " ":
                atoms.append((" ", r"\s+"))
        elif ch in _APOSTROPHES:
            atoms.append(("'", "['’]"))
        else:
            atoms.append((ch.lower(), re.escape(ch.lower())))
            if i in dotted:
                atoms.append((".", r"\.?"))
    return atoms


def _undotted_acronym_letters(surface: str) -> set[int]:
    """Offsets of the letters of every all-capital word of 2-5 letters with no dots ("UN", "USA", "PRC")."""
    return {
        i
        for m in re.finditer(r"(?<![\w.])[A-Z]{2,5}(?![\w.])", surface)
        for i in range(m.start(), m.end())
    }


def _trie_pattern(surfaces: Iterable[str]) -> str:
    """One regex for many surfaces, as a trie: at each character only the branches that can still match are tried.

    A plain alternation tries every surface at every position; the trie keeps matching fast as the registry grows.
    Each branch is tried before ending a shorter surface, so the longest surface wins ("Pakistan Army" over
    "Pakistan"); the caller's word-boundary check backtracks to a shorter one when needed.
    """
    end = ""
    root: dict[Any, Any] = {}
    for surface in surfaces:
        node = root
        for key, atom in _atoms(surface):
            node = node.setdefault((key, atom), {})
        node[end] = {}

    def emit(node: dict[Any, Any]) -> str:
        branches = [
            atom + emit(child) for (key, atom), child in sorted((k, v) for k, v in node.items() if k != end)
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end in node:
            return body + "?" if len(branches) == 1 and _single_atom(body) else "(?:" + body + ")?"
        return body

    return emit(root)


def _single_atom(pattern: str) -> bool:
    return len(pattern) == 1 or (
        pattern.startswith("(?:") and pattern.endswith(")") and _balanced(pattern[3:-1])
    )


def _balanced(inner: str) -> bool:
    depth = 0
    for ch in inner:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return False
    return depth == 0


def _is_acronym(surface: str) -> bool:
    letters = surface.replace(".", "").replace(" ", "")
    return len(letters) <= 5 and sum(c.isupper() for c in letters) >= 2


@dataclass(frozen=True, slots=True)
class _Entry:
    actor_id: str
    via: str  # name | alias | demonym | surname | role
    surface: str  # as written in the registry
    acronym: bool


@dataclass(slots=True)
class _Hit:
    start: int
    end: int  # excludes a possessive 's
    possessive_end: int  # end including 's when present
    text: str
    entries: list[_Entry]
    title: bool  # a role title rather than a name


class _Matcher:
    """One compiled regex over every surface and role title of a registry."""

    def __init__(self, registry: ActorRegistry) -> None:
        self.registry = registry
        self.entries: dict[str, list[_Entry]] = {}
        self.titles: dict[str, list[tuple[str, Role]]] = {}  # title key -> (actor id, role)
        self.ambiguity: dict[tuple[str, str], Ambiguity] = {}  # (actor id, surface key) -> hint
        surfaces: set[str] = set()  # every spelling goes into the regex ("UAE" and "U.A.E.")
        for actor in registry.actors:
            for surface, via in actor.surfaces():
                self._add(surfaces, surface, _Entry(actor.id, via, surface, _is_acronym(surface)))
            if actor.surname and actor.kind == "person":
                self._add(surfaces, actor.surname, _Entry(actor.id, "surname", actor.surname, False))
            for role in actor.roles:
                key = surface_key(role.title)
                self.titles.setdefault(key, []).append((actor.id, role))
                surfaces.add(role.title)
            for hint in actor.ambiguous:
                self.ambiguity[(actor.id, surface_key(hint.surface))] = hint
        # Each entry's hint as `_excluded` reads it: the phrases before it with their space, the phrases after it
        # with a space and with a dot, as tuples for one endswith / startswith each (entries without a hint absent).
        self._unless: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for bucket in self.entries.values():
            for entry in bucket:
                found = self.ambiguity.get((entry.actor_id, surface_key(entry.surface)))
                if found is not None:
                    self._unless[(entry.actor_id, entry.surface)] = (
                        tuple(" " + phrase for phrase in found.unless_prev),
                        tuple(phrase + end for phrase in found.unless_next for end in (" ", ".")))
        self.persons = frozenset(a.id for a in registry.actors if a.kind == "person")
        # Words that may stand before a person's single-word name without being a given name: titles, ranks,
        # honorifics and the words of the registry's own role titles ("Field Marshal Munir").
        self.name_titles = _NAME_TITLES | {w for key in self.titles for w in key.split()}
        trie = _trie_pattern(sorted(surfaces))
        pattern = rf"(?<![\w.])(?:{trie})(?!\w)"
        self.regex = re.compile(pattern, re.IGNORECASE) if surfaces else None
        # The same pattern without IGNORECASE, run over text.lower(): twice as fast (a case-insensitive branch
        # cannot skip on its first character), and it finds the same spans when lowering is a plain
        # one-to-one case map: every pattern character is in `_LOWER_SAFE` (letters are already lower case in the
        # pattern, `_atoms`) and the text has none of the few characters where re's case folding and str.lower disagree
        # (`_FOLD_UNSAFE`). Otherwise `hits` uses the case-insensitive regex.
        lower_safe = all(ch.lower() in _LOWER_SAFE for surface in surfaces for ch in surface)
        self._lower_regex = re.compile(pattern) if surfaces and lower_safe else None
        # The same again, opening with the character before the surface instead of a lookbehind (`_word_starts`).
        ends_in_word = all(surface.rstrip(".")[-1:].isalnum() for surface in surfaces)
        self._start_regex = re.compile(rf"[^0-9A-Z_a-z.](?<![\w.])({trie})(?!\w)") \
            if self._lower_regex is not None and ends_in_word else None
        self._ascii_start_regex = re.compile(rf"[^0-9A-Z_a-z.]({trie})(?!\w)") if self._start_regex else None
        # The last texts' hits: an article's title and text are matched twice, by `match_actors` and by
        # `find_candidates`. Callers read hits and never change them.
        self._recent: dict[tuple[str, bool], list[_Hit]] = {}

    def _add(self, surfaces: set[str], surface: str, entry: _Entry) -> None:
        key = surface_key(surface)
        bucket = self.entries.setdefault(key, [])
        # One entry per actor and spelling: "JD Vance" (the name) and "J.D. Vance" (an alias) are one key, and two
        # entries would make every mention two. The first wins: a name before its aliases, an alias before the
        # surname.
        if not any(e.actor_id == entry.actor_id for e in bucket):
            bucket.append(entry)
        surfaces.add(surface)

    def hits(self, text: str, longer_names: bool = True) -> list[_Hit]:
        """Every registry surface or role title in text, checked for case and ambiguity hints, in order.

        With `longer_names` (the default) a surface inside a longer proper name of something else is dropped
        (`_drop_longer_names`); False gives plain surface matching, the evaluation's baseline.
        """
        if self.regex is None:
            return []
        recent = self._recent.get((text, longer_names))
        if recent is not None:
            return list(recent)
        if self._lower_regex is not None and not _fold_unsafe(text):
            spans = self._word_starts(text.lower())
        else:
            spans = [m.span() for m in self.regex.finditer(text)]
        found = []
        for start, end in spans:
            raw = text[start:end]
            key = surface_key(raw)  # dots dropped: "U.S." at a sentence end keeps its dot in the surface
            entries = [e for e in self.entries.get(key, []) if self._case_ok(e, raw)]
            entries = [e for e in entries if not self._excluded(e, text, start, end)]
            is_title = key in self.titles
            if not entries and not is_title:
                continue
            if raw.endswith(".") and "." not in raw[:-1]:
                end -= 1  # "the US." at a sentence end: the dot is the sentence's, not the name's
                raw = raw[:-1]
            pos = _POSSESSIVE.match(text, end)
            found.append(_Hit(start, end, pos.end() if pos else end, raw, entries, is_title and not entries))
        kept = _drop_longer_names(text, found, self) if longer_names else found
        if len(self._recent) >= _RECENT:
            self._recent.clear()
        self._recent[(text, longer_names)] = kept
        return list(kept)

    def _word_starts(self, lowered: str) -> list[tuple[int, int]]:
        r"""The spans of `_lower_regex` in a lowered text.

        That regex opens with a lookbehind, which re tries at every character of the text. `_start_regex` opens
        with the character before the surface instead, a set that re skips to in C (most characters are letters,
        which it cannot be; its lookbehind then asks the same of that character as `_lower_regex` does of the
        character before the surface), over the text behind a space (a surface at the start); its group is the
        surface. Consuming that character changes which matches finditer finds only when a match can end right
        before the next one begins with nothing between, which needs a match ending in a character outside [\w.]:
        the regex is built only when every surface ends in a letter or digit, or in dots after one. In ASCII text
        the set is [^\w.] itself (\w is [0-9A-Za-z_] there), and `_ascii_start_regex` leaves the lookbehind out
        (tests/unit/test_fast_paths.py compares them with `_lower_regex`)."""
        if self._start_regex is None:
            assert self._lower_regex is not None
            return [m.span() for m in self._lower_regex.finditer(lowered)]
        regex = self._ascii_start_regex if lowered.isascii() else self._start_regex
        assert regex is not None
        return [(m.start(1) - 1, m.end(1) - 1) for m in regex.finditer(" " + lowered)]

    @staticmethod
    def _case_ok(entry: _Entry, raw: str) -> bool:
        if entry.acronym:
            return [c for c in raw if c.isalpha()] == [c for c in entry.surface if c.isalpha()]
        return raw[:1].isupper()

    def _excluded(self, entry: _Entry, text: str, start: int, end: int) -> bool:
        """Whether the entry's ambiguity hint rules this hit out: the 60 characters before it end with one of its
        `unless_prev` phrases, or those after it start with one of its `unless_next` phrases and a space or a dot
        (commas and runs of whitespace read as one space). The hint and its phrases are looked up once per matcher
        (`_unless`), and str.endswith and str.startswith take them all at once (tests/unit/test_fast_paths.py
        compares this with the hint read phrase by phrase)."""
        unless = self._unless.get((entry.actor_id, entry.surface))
        if unless is None:
            return False
        before = " " + " ".join(text[max(0, start - 60) : start].lower().replace(",", " ").split())
        if before.endswith(unless[0]):
            return True
        after = " ".join(text[end : end + 60].lower().replace(",", " ").split()) + " "
        return after.startswith(unless[1])


# --- longer names -------------------------------------------------------------------------------------

# Capitalised words after a registry surface that keep it a mention: a title it qualifies ("Pakistani Prime
# Minister", "U.S. Defense Secretary"), and dates ("Pakistan Tuesday said"). Any other capitalised word makes
# the surface part of a longer name of something else ("Pakistan International Airlines", "U.S. Senate").
TITLE_WORDS = frozenset(
    ["president", "president-elect", "prime", "premier", "minister", "secretary", "senator", "sen", "vice", "deputy", "assistant", "chief", "chancellor", "governor", "envoy", "spokesman", "spokeswoman", "adviser", "advisor", "king", "queen", "prince", "emperor", "commander"]
)
_TITLE_REACH = 3  # the title must be among the first words of the run: "U.S. National Security Adviser"
_TIME_WORDS = frozenset(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
)
# Capitalised words that start a sentence or clause rather than continue a name.
_FUNCTION_WORDS = frozenset(
    ["the", "a", "an", "and", "or", "but", "in", "on", "at", "to", "for", "with", "by", "from", "of", "as", "he", "she", "it", "they", "we", "i", "this", "that", "these", "those", "his", "her", "its", "their", "after", "before", "when", "while", "if", "since"]
)
# Words that head the name of an organisation, a team or a company: "<cue> of <surface>" ("Bank of China",
# "Organization of American States") and a demonym before one ("American Airlines", "British Broadcasting
# Corporation") name that body, not the country. A demonym before other capitals stays the country's
# adjective ("British Embassy", "Iranian Foreign Ministry", "American Vince Spadea").
ORG_CUES = frozenset(
    ["organization", "organisation", "bank", "university", "corporation", "corp", "company", "inc", "ltd", "association", "federation", "union", "council", "institute", "league", "cup", "club", "team", "party", "college", "museum", "academy", "foundation", "commission", "committee", "society", "airlines", "airways", "railways", "broadcasting", "television", "network", "times", "daily", "news", "voice", "court", "church", "chamber"]
)
_RUN_WORD = re.compile(r"[ \t]+([A-Z][\w.'’&-]*)")
_OF_BEFORE = re.compile(r"([A-Z][\w-]*)[ \t]+of[ \t]+$")


# A place or origin joined to one of these participles describes someone or something else, not the actor: "a
# Washington-based think tank", "an Indian-born novelist", "London-listed shares". Participles of an act stay the
# actor's: "U.S.-led", "Pakistan-backed".
_DESCRIBES_AFTER = re.compile(
    r"-(?:based|born|bred|raised|educated|headquartered|registered|listed|domiciled)\b", re.IGNORECASE)
# A dateline opens a report with where it was filed: "ISLAMABAD (Reuters) -", "NEW DELHI, May 10 (AP) --",
# "WASHINGTON —", "Islamabad (AFP) -". The place says where the reporter was; the report's own sentences say who acts.
_DATELINE_AFTER_CAPS = re.compile(r"(?:[ \t]*,[^\n,(]{1,30})?[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?(?:-{1,2}|[–—:])[ \t]+"
                                  r"[\"'“‘]?(?=[A-Z][a-z]|[a-z])")  # the report goes on in mixed case
_DATELINE_AFTER = re.compile(r"(?:[ \t]*,[^\n,(]{1,30})?[ \t]*\([A-Z][^()\n]{0,40}\)[ \t]*(?:-{1,2}|[–—:])[ \t]")
_LINE_START = re.compile(r"(?:\A|\n)[ \t]*\Z")


def _describes_something_else(text: str, hit: _Hit) -> bool:
    """A surface that names no actor where it stands: a descriptor compound ("Washington-based"), a currency ("US$40
    million") or a dateline (`_DATELINE_AFTER`)."""
    if _DESCRIBES_AFTER.match(text, hit.end) or text.startswith("$", hit.end):
        return True
    if not _LINE_START.search(text, max(0, hit.start - 8), hit.start):
        return False
    caps = hit.text.isupper() and sum(c.isalpha() for c in hit.text) > 2  # "ISLAMABAD", not "US" or "U.S."
    return bool((_DATELINE_AFTER_CAPS if caps else _DATELINE_AFTER).match(text, hit.end))


def _drop_longer_names(text: str, hits: list[_Hit], matcher: _Matcher) -> list[_Hit]:
    """Clear the names of hits inside a longer proper name of something else, or that name nothing where they stand
    (`_describes_something_else`); keep titles and other hits."""
    kept = []
    lines = _Lines(text)
    for i, hit in enumerate(hits):
        if hit.entries and (_in_longer_name(text, hits, i, lines) or _after_given_name(text, hits, i, lines, matcher)
                            or _describes_something_else(text, hit)):
            hit.entries = []
        if hit.entries or hit.title:
            kept.append(hit)
    return kept


# Before a person's single-word name, words that are not someone else's given name: titles, ranks, honorifics, and
# words that open a sentence or clause ("Meanwhile Trump said").
_NAME_TITLES = TITLE_WORDS | frozenset(
    ["mr", "mrs", "ms", "miss", "dr", "gen", "general", "lt", "col", "colonel", "maj", "major", "capt", "captain",
     "adm", "admiral", "sgt", "sen", "rep", "representative", "gov", "judge", "justice", "ambassador", "chairman",
     "chairwoman", "chair", "leader", "marshal", "field", "mayor", "speaker", "lord", "sir", "dame", "lady",
     "sheikh", "imam", "pope", "cardinal", "bishop", "rabbi", "father", "saint", "st", "comrade", "candidate",
     "nominee", "former", "then", "late", "meanwhile", "also", "still", "yet", "now", "later", "earlier", "today",
     "yesterday", "tonight", "instead", "however", "thus", "so", "says", "said", "asked", "told", "and", "nor",
     "lieutenant", "brigadier", "commodore"]
)
_GIVEN_BEFORE = re.compile(r"(?<![\w.’'-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)[ \t]+$")
# Words that are never someone's given name before a person's one-word name.
_NOT_GIVEN = _FUNCTION_WORDS | _TIME_WORDS | STOPWORDS
# A sentence's first word is capitalised whatever it is: there, a word this common in English ("Unlike Modi",
# "Republican Trump") is no given name. Zipf 4.0 is once in 100,000 words; given names that are also common
# words ("Bill", "Mark") are read as words there, rare ones ("Ivanka" 2.9, "Jill" 3.8) as names.
COMMON_WORD_ZIPF = 4.0
# Where a sentence begins: the text's start, a line break, or . ! ? and closing quotes; then opening quotes.
SENTENCE_START = re.compile(r"(?:\A|[.!?…][\"'”’)]*\s+|\n)[\"'“‘(]*\Z")


def _is_common_word(word: str) -> bool:
    return load_prior().get(word, 0.0) >= zipf_share(COMMON_WORD_ZIPF)


def _after_given_name(text: str, hits: list[_Hit], i: int, lines: _Lines, matcher: _Matcher) -> bool:
    """True when a person's single-word name (a surname, or a one-word alias such as "Trump") follows a capitalised
    word that is no title, rank or registry surface: another person's given name ("Ivanka Trump", "Jill Biden",
    "Sadiq Khan", "Bilawal Bhutto Zardari"). Capitals do not count in a title-case headline line."""
    hit = hits[i]
    if " " in hit.text.strip() or not all(e.actor_id in matcher.persons for e in hit.entries):
        return False
    m = _GIVEN_BEFORE.search(text, max(0, hit.start - 30), hit.start)
    if m is None:
        return False
    word = m.group(1).lower()
    if any(part in matcher.name_titles or part in _NOT_GIVEN for part in (word, *word.split("-"))):
        return False  # a title, rank or honorific ("Lieutenant-General Munir"), or a word no name is
    if SENTENCE_START.search(text, max(0, m.start(1) - 8), m.start(1)) and _is_common_word(word):
        return False
    if i > 0 and hits[i - 1].possessive_end >= m.start(1):
        return False  # a registry surface: "Pakistani Munir", a title of the registry
    return not lines.headline_cased(hit.start)


def _all_persons(hit: _Hit) -> bool:
    """Every actor of the hit is a person reached by a surname ("Asif" in "Asif Zardari"): two such hits side by side
    are one person's names, not two actors."""
    return all(e.via == "surname" for e in hit.entries)


def _in_longer_name(text: str, hits: list[_Hit], i: int, lines: _Lines) -> bool:
    """True when hit i is part of a longer capitalised name that is not the actor (see the module docstring)."""
    hit = hits[i]
    if lines.headline_cased(hit.start):
        return False
    m = _OF_BEFORE.search(text, max(0, hit.start - 40), hit.start)
    if m and m.group(1).lower() in ORG_CUES:
        return True
    if hit.possessive_end > hit.end:
        return False  # "Pakistan's Army": the possessive keeps the actor
    run: list[tuple[int, str]] = []
    pos = hit.end
    while len(run) < _TITLE_REACH:
        m = _RUN_WORD.match(text, pos)
        if m is None:
            break
        word = m.group(1).rstrip(".").lower()
        if word in _FUNCTION_WORDS or word in _TIME_WORDS:
            break
        run.append((m.start(1), word))
        pos = m.end()
    if not run:
        return False
    if i + 1 < len(hits) and hits[i + 1].start == run[0][0] and hits[i + 1].entries and not (
            _all_persons(hit) and _all_persons(hits[i + 1])):
        return False  # another registry surface follows: "Indian Kashmir", "U.S. Pakistan policy"
    words = [word for _, word in run]
    if any(e.via == "demonym" for e in hit.entries):
        return any(w in ORG_CUES for w in words)
    return not any(w in TITLE_WORDS for w in words)


_HEADLINE_CHARS = 300  # longer lines are paragraphs


class _Lines:
    """Which lines of a text are written in title case, where capitals do not mark names; each read once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ends = [m.start() for m in re.finditer("\n", text)] + [len(text)]
        self.cased: dict[int, bool] = {}

    def headline_cased(self, at: int) -> bool:
        n = bisect.bisect_left(self.ends, at)
        if n not in self.cased:
            start = self.ends[n - 1] + 1 if n else 0
            if self.ends[n] - start > _HEADLINE_CHARS:
                self.cased[n] = False  # a paragraph, not a headline
                return False
            words = re.findall(r"[^\W\d_][\w'’-]*", self.text[start : self.ends[n]])
            content = [w for w in words if w.lower() not in _FUNCTION_WORDS]
            lower = sum(not w[0].isupper() for w in content)
            # "Pakistan Says India Violated Ceasefire": at most one content word in ten in lower case
            self.cased[n] = len(content) >= 4 and lower <= len(content) // 10
        return self.cased[n]


def _sentence_starts(sentences: Sequence[tuple[int, int]] | Sequence[Sentence]) -> list[int]:
    starts = []
    for s in sentences:
        starts.append(s.start if isinstance(s, Sentence) else s[0])
    return starts


def match_actors(
    registry: ActorRegistry,
    title: str,
    text: str,
    sentences: Sequence[tuple[int, int]] | Sequence[Sentence],
    when: date,
    *,
    longer_names: bool = True,
    title_context: bool = True,
) -> list[Mention]:
    """Find mentions of registry actors in the headline (sentence_index -1) and the text.

    Names, aliases and demonyms match unless they sit inside a longer proper name of something else
    (`longer_names=False` turns that rule off, for baselines); a person's surname alone only after a full
    mention (headline first, then text in order); role titles resolve to whoever held the role on `when`, when
    the article points to that holder's country and the title names a holder rather than the office
    (`title_context=False`: by the date alone, the rule before; docs/methods.md).
    """
    matcher = registry.matcher()
    introduced: set[str] = set()
    context = _TitleContext() if title_context else None
    mentions: list[Mention] = []
    starts = _sentence_starts(sentences)
    for part, body in ((-1, title), (0, text)):
        for mention in _match_part(matcher, body, when, introduced, longer_names, context):
            if part == -1:
                mention.sentence_index = -1
            else:
                mention.sentence_index = (
                    max(0, bisect.bisect_right(starts, mention.start) - 1) if starts else 0
                )
            mentions.append(mention)
    return mentions


def _match_part(
    matcher: _Matcher, text: str, when: date, introduced: set[str], longer_names: bool = True,
    context: _TitleContext | None = None,
) -> list[Mention]:
    registry = matcher.registry
    hits = matcher.hits(text, longer_names)
    lines: _Lines | None = None
    out: list[Mention] = []
    # The actor qualifying each title hit (index -> actor id), for coordinated titles sharing a possessive.
    qualifier: dict[int, str] = {}
    not_holders: set[int] = set()  # title hits that name an office or a former holder
    for i, hit in enumerate(hits):
        if not hit.title:
            names = [e for e in hit.entries if e.via != "surname"]
            if names:
                out.extend(_country_in_common_name(matcher, hit, names, text, introduced))
                for entry in names:
                    introduced.add(entry.actor_id)
                    if context is not None:
                        context.saw(registry, entry.actor_id)
                    via = "possessive" if hit.possessive_end > hit.end else entry.via
                    out.append(
                        Mention(
                            entry.actor_id,
                            text[hit.start : hit.possessive_end],
                            via,
                            0,
                            hit.start,
                            hit.possessive_end,
                        )
                    )
                continue
            known = [e for e in hit.entries if e.actor_id in introduced]
            if not known:
                known = _surname_after_title(matcher, hits, i, text, when)
            if len(known) == 1 and _namesake_since(text, hit, known[0].actor_id, out, matcher):
                continue  # "Imran Khan ... Sadiq Khan opened a park. Khan said": the nearest Khan is Sadiq
            if len(known) == 1:
                introduced.add(known[0].actor_id)
                if context is not None:
                    context.saw(registry, known[0].actor_id)
                out.append(
                    Mention(
                        known[0].actor_id,
                        text[hit.start : hit.possessive_end],
                        "name",
                        0,
                        hit.start,
                        hit.possessive_end,
                    )
                )
            continue
        # A role title.
        q = _qualifier(hits, i, text, qualifier, registry)
        if q is not None:
            qualifier[i] = q
        if context is None:  # by date alone (`title_context=False`, the evaluation's baseline)
            if not (_premodifies_name(hits, i, text) or _not_holder(text, hit.start)):
                holder = _resolve(matcher, surface_key(hit.text), q, when)
                if holder is not None:
                    introduced.add(holder)
                    out.append(Mention(holder, hit.text, "role", 0, hit.start, hit.end))
            continue
        named = _name_before(hits, i, text)
        lead = named.start if named is not None else hit.start  # where the title's phrase begins
        possessive = named is not None and named.possessive_end > named.end
        if _not_holder(text, hit.start) or _not_holder(text, lead, _NOT_HOLDER_BEFORE_QUALIFIER) \
                or _office_use(text, lead, hit.end, possessive) or _not_yet(text, hit.end) or (
                i - 1 in not_holders and _COORDINATORS.match(text[hits[i - 1].end : hit.start])):
            not_holders.add(i)  # "running for president and vice president": the second title is an office too
            continue
        if _premodifies_name(hits, i, text) or _names_someone_else(hits, i, text) \
                or _follows_its_holders_name(hits, lead, hit.end, text, matcher, surface_key(hit.text), when):
            continue
        key = surface_key(hit.text)
        if named is not None and not possessive and _owned_by_other(hits, i - 1, text):
            context.titles[key] = _OTHER  # "Newmont's American president": a company's, and so are the next ones
            continue
        stated = _stated_time(text, lead, hit.end, when)
        if stated is not None:  # "Pakistan's army chief until 2022", "In 2019, the army chief", "at the time"
            holder = _resolve(matcher, key, q, stated) if stated != when and q is not None else None
            if holder is not None:
                introduced.add(holder)
                out.append(Mention(holder, hit.text, "role", 0, hit.start, hit.end))
            continue
        if q is None:
            q = _person_qualifier(named, registry, when)
            if q == _OTHER:  # "Trump's secretary of state" in 2023: the title of someone out of that office
                context.titles[key] = _OTHER
                continue
        if q is None:
            if lines is None:
                lines = _Lines(text)
            if _other_qualifier(hits, i, text, lines):
                # "Iceland's prime minister", "vice president of the Cato Institute": someone else's title, and
                # the unqualified titles after it are theirs too until a registry actor is named again.
                context.titles[key] = context.country = _OTHER
                continue
            holder = _resolve_in_context(matcher, key, context, introduced, when)
        else:
            context.titles[key] = q
            context.saw(registry, q)
            holder = _resolve(matcher, key, q, when)
        if holder is not None:
            introduced.add(holder)
            out.append(Mention(holder, hit.text, "role", 0, hit.start, hit.end))
    return out


def _country_in_common_name(
    matcher: _Matcher, hit: _Hit, names: list[_Entry], text: str, introduced: set[str]
) -> list[Mention]:
    """'Pakistani military', "Pakistan's military": an organisation alias that opens with its country's name,
    demonym or possessive and goes on in lower case also mentions the country ("Pakistan Army", a proper name,
    does not)."""
    countries = {a.country for e in names if (a := matcher.registry.get(e.actor_id)) and a.country}
    if not countries:
        return []
    words = list(re.finditer(r"\S+", text[hit.start : hit.end]))
    for k in range(len(words) - 1, 0, -1):
        head = words[k - 1]
        rest = words[k].group(0)
        possessive = _POSSESSIVE.search(head.group(0))
        if not (rest[:1].islower() or possessive):
            continue
        end = hit.start + (possessive.start() if possessive else head.end())
        raw = text[hit.start : end]
        for entry in matcher.entries.get(surface_key(raw), []):
            if entry.actor_id in countries and entry.via != "surname" and matcher._case_ok(entry, raw):
                introduced.add(entry.actor_id)
                via = "possessive" if possessive else entry.via
                stop = hit.start + head.end()
                return [Mention(entry.actor_id, text[hit.start : stop], via, 0, hit.start, stop)]
    return []


_HONORIFIC = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|General|Lt|Sen|Senator|Rep)\.?\s+)$")


def _namesake_since(text: str, hit: _Hit, actor_id: str, out: list[Mention], matcher: _Matcher) -> bool:
    """Whether someone else with this surname was named after the actor's last mention in this text: a capitalised
    given name before the same surname ("Sadiq Khan", "Shaheen Khan") that is no title or honorific ("Mr. Khan",
    "Prime Minister Khan")."""
    since = max((m.end for m in out if m.actor_id == actor_id), default=0)
    pattern = _NAMESAKE.get(hit.text)
    if pattern is None:
        pattern = _NAMESAKE[hit.text] = re.compile(
            r"(?<![\w.’'-])([A-Z][a-z]+(?:-[A-Z][a-z]+)?)[ \t]+" + re.escape(hit.text) + r"(?![\w-])")
    for m in pattern.finditer(text, since, hit.start):
        word = m.group(1).lower()
        if not any(part in matcher.name_titles or part in _NOT_GIVEN for part in (word, *word.split("-"))):
            return True
    return False


_NAMESAKE: dict[str, re.Pattern[str]] = {}


def _surname_after_title(matcher: _Matcher, hits: list[_Hit], i: int, text: str, when: date) -> list[_Entry]:
    """'Prime Minister Sharif', 'Gen. Munir': a title or honorific right before a bare surname introduces it.

    A registry title picks whichever of the surname's people held it on the date; an honorific (Mr., Gen.)
    only helps when the surname belongs to one person in the registry.
    """
    hit = hits[i]
    if i > 0 and hits[i - 1].title and text[hits[i - 1].end : hit.start].isspace():
        holders = {a for a, role in matcher.titles.get(surface_key(hits[i - 1].text), []) if role.held_on(when)}
        return [e for e in hit.entries if e.actor_id in holders]
    if _HONORIFIC.search(text, max(0, hit.start - 20), hit.start) and len(hit.entries) == 1:
        return list(hit.entries)
    return []


def _name_before(hits: list[_Hit], i: int, text: str) -> _Hit | None:
    """The registry name (not a title) right before hit i, at most two spaces away ("Pakistan's army chief"), if any."""
    if i == 0:
        return None
    prev = hits[i - 1]
    gap = text[prev.possessive_end : hits[i].start]
    if not prev.title and prev.entries and (gap == "" or gap.isspace()) and len(gap) <= 2:
        return prev
    return None


def _qualifier(
    hits: list[_Hit], i: int, text: str, qualifier: dict[int, str], registry: ActorRegistry
) -> str | None:
    hit = hits[i]
    if i > 0:
        prev = hits[i - 1]
        named = _name_before(hits, i, text)
        if named is not None:
            actor = registry.get(named.entries[0].actor_id)
            if actor is not None and actor.kind != "person":
                return actor.id
        if prev.title and (i - 1) in qualifier and _COORDINATORS.match(text[prev.possessive_end : hit.start]):
            return qualifier[i - 1]
    # "the Prime Minister of Pakistan"
    if i + 1 < len(hits):
        nxt = hits[i + 1]
        gap = text[hit.end : nxt.start]
        if re.fullmatch(r"\s+of\s+(?:the\s+)?", gap) and nxt.entries:
            actor = registry.get(nxt.entries[0].actor_id)
            if actor is not None and actor.kind != "person":
                return actor.id
    return None


def _premodifies_name(hits: list[_Hit], i: int, text: str) -> bool:
    """'Secretary of State Marco Rubio': the title introduces a name, so the name is the mention."""
    after = text[hits[i].end : hits[i].end + 40]
    m = re.match(r"[ \t]+([A-Z][\w.’'-]*)", after)  # not across a line break
    return bool(m and m.group(1).lower() not in {"and", "of", "on", "in", "said", "the"})


def _not_holder(text: str, start: int, words: frozenset[str] = _NOT_HOLDER) -> bool:
    m = re.search(r"([A-Za-z]+)[\s-]*$", text[max(0, start - 20) : start])
    return bool(m and m.group(1).lower() in words)


# Words before a title (or its qualifier) that make it the office rather than the person holding it: "running for
# president", "a second term as U.S. president", "stepped down as Secretary of State", "a new vice president".
_OFFICE_WORDS = frozenset({"as", "for", "be", "become", "becomes", "became", "becoming", "elected", "a", "an",
                           "while", "when"})
# Nouns that make "<noun> of <title>" the office: "the powerful post of army chief".
_OFFICE_NOUNS = frozenset({"post", "office", "role", "job", "position", "title", "rank", "seat"})
# Ordinals before a title count holders of the office ("the 39th U.S. president", "the first US president to").
_ORDINALS = frozenset({"first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                       "last", "previous", "past", "longest-serving"})
_WORDS_BEFORE = re.compile(r"(?<![A-Za-z0-9’'])((?:[A-Za-z0-9-]+[ \t]+){1,3})$")  # the last three words, on one line
_ORDINAL_NUMBER = re.compile(r"\d+(?:st|nd|rd|th)")
# A title that is not yet or not quite the office: "President-elect", "Secretary of State nominee".
_NOT_YET_AFTER = re.compile(r"(?:-|[ \t]+)(?:elect|designate|nominee|candidate|hopeful)\b", re.IGNORECASE)


def _office_use(text: str, start: int, end: int, possessive: bool) -> bool:
    """True when the title (its phrase text[start:end]) names the office, not its holder: right after "as", "for",
    "be", "became", "elected" ("re-elected"), "while" or "when"; after "a" / "an" and at most two describing words
    ("a very successful US president"); after an ordinal ("the 39th U.S. president", "the first US president to
    visit"); or after "post of", "office of" and the like. Not after "as", "while" or "when" when a verb follows
    the title ("as Pakistan's army chief visited Washington"), nor after "for" before a possessive ("a lunch for
    Pakistan's army chief"): there the holder acts or is acted on."""
    m = _WORDS_BEFORE.search(text, max(0, start - 60), start)
    if m is None:
        return False
    words = [w.lower() for w in m.group(1).split()]
    last = words[-1]
    if (last in ("as", "while", "when") and _verb_follows(text, end)) or (last == "for" and possessive):
        return False
    if _ORDINAL_NUMBER.fullmatch(last) or not {last, last.rsplit("-", 1)[-1]}.isdisjoint(_OFFICE_WORDS | _ORDINALS):
        return True  # "re-elected" is "elected"; "longest-serving" is whole
    if last == "of" and len(words) > 1 and words[-2] in _OFFICE_NOUNS:
        return True
    return any(
        words[k] in ("a", "an") and all(w.isalpha() and w not in _FUNCTION_WORDS for w in words[k + 1 :])
        for k in range(len(words) - 1)
    )


_NEXT_WORD = re.compile(r"[ \t]+([a-z]+)\b(?![-'’])")
# Verbs a title's holder does right after it that neither end in -ed nor are an -s form outside the stopwords.
_VERBS = frozenset({"is", "was", "has", "had", "will", "would", "can", "could", "must", "may", "might", "should",
                    "did", "does", "said", "met", "told", "made", "took", "gave", "went", "came", "spoke", "sent",
                    "won", "led", "flew", "began", "wrote", "left", "held", "sat", "stood", "ran", "saw"})


def _verb_follows(text: str, end: int) -> bool:
    """Whether the word after a title reads as its holder's verb: "visited", "says", "met" (not "in", "this")."""
    m = _NEXT_WORD.match(text, end)
    if m is None:
        return False
    word = m.group(1)
    return word in _VERBS or word.endswith("ed") or (word.endswith("s") and word not in STOPWORDS)


def _not_yet(text: str, end: int) -> bool:
    """"President-elect", "Secretary of State nominee": someone who does not hold the title (yet)."""
    return _NOT_YET_AFTER.match(text, end) is not None


_APPOSITIVE = re.compile(r",[ \t]+((?:[A-Z][\w.’'-]*[ \t]+){0,3}[A-Z][\w.’'-]*)")
# After such a name, a reporting verb makes it an attribution: "the army chief, Reuters reported, will visit".
_ATTRIBUTION = re.compile(r"[ \t]+(?:said|says|reported|reports|told|tells|added|wrote|writes|noted|quoted|cited)\b")


def _names_someone_else(hits: list[_Hit], i: int, text: str) -> bool:
    """"the US president, George Bush,", "the prime minister of Pakistan, Ahmed Khan,": a name the registry does not
    know, set off by a comma right after the title (or its "of" qualifier), says who holds it here."""
    end = hits[i].end
    if i + 1 < len(hits) and hits[i + 1].entries and re.fullmatch(r"\s+of\s+(?:the\s+)?", text[end : hits[i + 1].start]):
        end = hits[i + 1].possessive_end
        i += 1
    m = _APPOSITIVE.match(text, end)
    if m is None or m.group(1).split()[0].lower() in _FUNCTION_WORDS | _TIME_WORDS \
            or _ATTRIBUTION.match(text, m.end(1)):
        return False
    return not any(m.start(1) <= h.start < m.end(1) for h in hits[i + 1 : i + 4])


# A name set off before a title whose phrase then ends (a comma, a period, "until", "who") is the title's holder:
# "Bajwa, Pakistan's army chief until 2022,", "Imran Khan, Pakistan's prime minister from 2018". Before a verb the
# comma ends a clause instead: "After meeting Rubio, Pakistan's army chief flew home".
_NAME_THEN_COMMA = re.compile(r"(?<![\w.’'-])((?:[A-Z][\w.’'-]*[ \t]+){0,3}[A-Z][\w.’'-]*),[ \t]+(?:the[ \t]+)?$")
_APPOSITION_ENDS = re.compile(r"\s*(?:[,;.)]|$)|\s+(?:until|till|from|between|who|whose|since|during|in\s+\d{4})\b")
_PREPOSITIONS = frozenset({"in", "at", "on", "near", "from", "to", "into", "outside", "inside", "across", "after",
                           "before", "with", "by", "for", "meeting", "met", "visiting", "visited", "like", "unlike"})


def _follows_its_holders_name(hits: list[_Hit], lead: int, end: int, text: str, matcher: _Matcher, key: str,
                              when: date) -> bool:
    """"Bajwa, Pakistan's army chief until 2022, ...": the title (its phrase text[lead:end]) is in apposition to the
    name before it, so it says who that person is or was, and is not today's holder. The name is a registry
    person's, or two to four capitalised words that are no registry surface, time or function word and do not follow
    a preposition ("In New Delhi, the army chief"). When the registry person named holds the title on `when`
    ("Munir, Pakistan's army chief,"), the title is theirs and stays a mention (False)."""
    m = _NAME_THEN_COMMA.search(text, max(0, lead - 60), lead)
    if m is None or not _APPOSITION_ENDS.match(text, end):
        return False
    name_start, name_end = m.span(1)
    inside = [h for h in hits if h.end > name_start and h.start < name_end]
    if inside:
        people = all(not h.title and h.entries and h.start >= name_start and h.possessive_end == h.end
                     and all(e.actor_id in matcher.persons for e in h.entries) for h in inside)
        holders = {a for a, role in matcher.titles.get(key, []) if role.held_on(when)}
        return people and not any(e.actor_id in holders for h in inside for e in h.entries)
    words = m.group(1).split()
    if len(words) < 2 or any(w.rstrip(".").lower() in _FUNCTION_WORDS | _TIME_WORDS | _NAME_TITLES for w in words):
        return False
    before = re.search(r"([A-Za-z]+)[ \t]+$", text[max(0, name_start - 20) : name_start])
    return not (before and before.group(1).lower() in _PREPOSITIONS)


def _owned_by_other(hits: list[_Hit], j: int, text: str) -> bool:
    """The qualifier hit j ("American" in "Newmont's American president") follows the possessive of something the
    registry does not name ("Newmont's", "the company's"): the title is that body's officer, not the country's."""
    before = _WORD_BEFORE.search(text, max(0, hits[j].start - 40), hits[j].start)
    if before is None or not before.group(2):
        return False
    if j > 0 and hits[j - 1].possessive_end >= before.start(1):
        return False  # "Pakistan's Pakistani ..." or a registry person's: read elsewhere
    return before.group(1).lower() not in _CONTEXT_OWNERS


# A time stated for a title: after it ("until 2022", "from 2018 to 2022", "in 2019"), or opening its clause ("In 2019,
# the army chief", "Back in 2018, Pakistan's prime minister"); and "at the time", which points to a time the
# article gives elsewhere.
_YEAR_AFTER = re.compile(r"[ \t]+(?:until|till|from|between|in|during)[ \t]+(?:(?:early|late|mid)[- ])?((?:19|20)\d\d)\b")
_YEAR_BEFORE = re.compile(r"\b(?:(?:[Bb]ack[ \t]+)?[Ii]n|[Dd]uring|[Bb]y)[ \t]+(?:(?:early|late|mid)[- ])?((?:19|20)\d\d),?"
                          r"[ \t]+(?:the[ \t]+)?$")
_AT_THE_TIME = re.compile(r",?[ \t]+(?:at[ \t]+the[ \t]+time(?![ \t]+of)|back[ \t]+then|in[ \t]+those[ \t]+days)\b")


def _stated_time(text: str, lead: int, end: int, when: date) -> date | None:
    """The date a title is read on when its sentence states another time: the middle of a stated year other than the
    article's, `when` itself for "at the time" (the caller then names nobody); None when no time is stated."""
    if _AT_THE_TIME.match(text, end):
        return when
    m = _YEAR_AFTER.match(text, end)
    if m is None:  # a year before the title counts only where it opens the sentence: not "Appointed in 2022, ..."
        m = _YEAR_BEFORE.search(text, max(0, lead - 40), lead)
        if m is not None and not SENTENCE_START.search(text, max(0, m.start() - 8), m.start()):
            m = None
    if m is None or int(m.group(1)) == when.year:
        return None
    return date(int(m.group(1)), 7, 1)


_OTHER = "\x00other"  # a title context outside the registry (a country or body it does not know)
# Lower-case owners before a title that leave it to the surrounding text: "the country's prime minister".
_CONTEXT_OWNERS = frozenset({"country", "nation", "government"})
# Capitalised words right before a title that do not qualify it: sentence openers and time words.
_NOT_QUALIFIERS = _FUNCTION_WORDS | _TIME_WORDS | _NOT_HOLDER | frozenset(
    {"new", "current", "incumbent", "then-", "mr", "mrs", "ms", "dr", "as", "says", "said", "tells", "told",
     "while", "when", "where", "why", "how", "what", "who", "meanwhile", "also", "now", "today", "yesterday",
     "tomorrow", "tonight", "first", "top", "senior", "our", "your", "my", "all", "both", "no", "not"}
)
_WORD_BEFORE = re.compile(r"(?<![\w.’'-])([^\W\d_][\w.’'&-]*?)(['’]s)?[ \t]+$")
# "of" or "for" right after a title hands it to what follows ("vice president of the Cato Institute", "secretary of
# state for industry"), except "for" and a determiner, a number or a purpose ("met the prime minister for talks").
_OF_AFTER = re.compile(
    r"[ \t]+(?:of|for(?![ \t]+(?:a|an|the|his|her|their|its|this|that|these|those|some|more|over|nearly|about|almost"
    r"|talks|comment|comments|help|now|years|months|weeks|days|decades|\d|[a-z]+ing)\b))[ \t]+\S"
)


@dataclass(slots=True)
class _TitleContext:
    """Whose an unqualified role title is, read from the article so far: the countries (or bodies) of the registry
    mentions before it and the nearest of them, and per title the owner of its last qualified use (`_OTHER`:
    someone the registry does not know, as in "Iceland's prime minister ... the prime minister said")."""

    country: str | None = None
    seen: set[str] = field(default_factory=set)
    titles: dict[str, str] = field(default_factory=dict)

    def saw(self, registry: ActorRegistry, actor_id: str) -> None:
        actor = registry.get(actor_id)
        if actor is None:
            return
        owner = actor.id if actor.kind in ("country", "organisation") else actor.country
        if owner is not None:
            self.country = owner
            self.seen.add(owner)


def _person_qualifier(named: _Hit | None, registry: ActorRegistry, when: date) -> str | None:
    """"Modi's national security adviser": the possessive of a registry person who holds an office on `when`, right
    before a title (`named`, from `_name_before`), qualifies it with that person's country. The possessive of one who
    holds none then gives `_OTHER`: "Trump's secretary of state" in 2023, "Imran Khan's army chief" in 2025."""
    if named is None or named.possessive_end == named.end:
        return None
    actor = registry.get(named.entries[0].actor_id)
    if actor is None or actor.kind != "person":
        return None
    return actor.country if any(role.held_on(when) for role in actor.roles) else _OTHER


def _other_qualifier(hits: list[_Hit], i: int, text: str, lines: _Lines) -> bool:
    """True when a title the registry could not qualify is qualified by something else: a capitalised word right
    before it that is not a registry surface ("Icelandic prime minister", "Sri Lanka's Prime Minister", "Liberal
    Democrat deputy prime minister", "President Obama's national security adviser"), a possessive of anything but
    the country itself ("the bank's vice president"), or "of" / "for" right after it ("vice president of the Cato
    Institute", "secretary of state for industry", "army chief of staff"). Capitals do not count in a title-case
    headline line."""
    hit = hits[i]
    if _OF_AFTER.match(text, hit.end):
        return True
    before = _WORD_BEFORE.search(text, max(0, hit.start - 40), hit.start)
    if before is None:
        return False
    if i > 0 and hits[i - 1].possessive_end >= before.start(1):
        return False  # a registry surface: a qualifier, a person or a title of its own, read elsewhere
    word = before.group(1).rstrip(".").lower()
    if before.group(2):
        return word not in _CONTEXT_OWNERS
    if not before.group(1)[0].isupper() or word in _NOT_QUALIFIERS:
        return False
    return not lines.headline_cased(hit.start)


def _resolve_in_context(
    matcher: _Matcher, title_key: str, context: _TitleContext, introduced: set[str], when: date
) -> str | None:
    """An unqualified title (two words or more): the holder on `when` whom the article so far points to.

    After a qualified use of the same title, that use's owner ("Pakistan's army chief ... the army chief").
    Otherwise the one holder whose country (or body) the article has mentioned, provided the nearest registry
    mention before the title is theirs too: after "Pakistan and India", "the prime minister" stays unresolved,
    and an article that moved on to Britain does not give "the Prime Minister" to India's. A role with no
    country in the registry resolves only once its holder has been named. A one-word title stays unresolved."""
    if len(title_key.split()) < 2:
        return None
    registry = matcher.registry
    owned = context.titles.get(title_key)
    if owned == _OTHER:
        return None
    holders: dict[str, list[str | None]] = {}  # holder -> the countries of the roles that point to them
    for actor_id, role in matcher.titles.get(title_key, []):
        if not role.held_on(when):
            continue
        if role.country is None:
            points = actor_id in introduced
        elif owned is not None:
            points = _owns(registry, role.country, owned)
        else:
            points = any(_owns(registry, role.country, seen) for seen in context.seen)
        if points:
            holders.setdefault(actor_id, []).append(role.country)
    if len(holders) != 1:
        return None
    ((holder, countries),) = holders.items()
    # Without a qualified use, the nearest registry mention must be the holder's country too (it is among `seen`).
    if owned is None and not any(c is None or _owns(registry, c, context.country or "") for c in countries):
        return None
    return holder


def _owns(registry: ActorRegistry, role_country: str, owner: str) -> bool:
    """Whether a title qualified by `role_country` belongs to `owner`: the same actor, or one is a body of the other
    ("Pakistan Army ... the army chief", "the State Department ... the Secretary of State")."""
    if role_country == owner:
        return True
    role_body, owner_body = registry.get(role_country), registry.get(owner)
    return (role_body is not None and role_body.country == owner) or (
        owner_body is not None and owner_body.country == role_country)


def _resolve(matcher: _Matcher, title_key: str, qualifier: str | None, when: date) -> str | None:
    """The one actor holding the title on `when` (for `qualifier` when given), else None."""
    candidates = matcher.titles.get(title_key, [])
    holders = set()
    for actor_id, role in candidates:
        if not role.held_on(when):
            continue
        if qualifier is None or role.country == qualifier:
            holders.add(actor_id)
    if len(holders) != 1:
        return None
    if qualifier is None and len(title_key.split()) < 2:
        return None  # a bare one-word title ("president", "chief") is too vague alone
    return holders.pop()


# --- actor tone -----------------------------------------------------------------------------------------
