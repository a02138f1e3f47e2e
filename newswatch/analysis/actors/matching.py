"""Finding registry actors in an article: names, aliases, demonyms, surnames after a full mention, and role
titles resolved by the article's date.

Lexical and dated; never a model, never network.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from newswatch.analysis.actors.registry import ActorRegistry, Ambiguity, Role
from newswatch.models import Mention, Sentence

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
    }
)
_COORDINATORS = re.compile(r"^(?:\s*,\s*|\s+and\s+|\s*,\s*and\s+|\s*&\s*)$")


def surface_key(surface: str) -> str:
    """Normalised lookup key: lower case, straight apostrophes, no dots, single spaces."""
    out = surface.replace("’", "'").replace(".", "").lower()
    return " ".join(out.split())


def _atoms(surface: str) -> list[tuple[str, str]]:
    """(trie key, regex) per character: dots optional, any whitespace between words, either apostrophe."""
    atoms = []
    for ch in surface:
        if ch == ".":
            atoms.append((".", r"\.?"))
        elif ch.isspace():
            if not atoms or atoms[-1][0] != " ":
                atoms.append((" ", r"\s+"))
        elif ch in _APOSTROPHES:
            atoms.append(("'", "['’]"))
        else:
            atoms.append((ch.lower(), re.escape(ch.lower())))
    return atoms


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
        trie = _trie_pattern(sorted(surfaces))
        self.regex = re.compile(rf"(?<![\w.])(?:{trie})(?!\w)", re.IGNORECASE) if surfaces else None

    def _add(self, surfaces: set[str], surface: str, entry: _Entry) -> None:
        key = surface_key(surface)
        bucket = self.entries.setdefault(key, [])
        if not any(e.actor_id == entry.actor_id and e.via == entry.via for e in bucket):
            bucket.append(entry)
        surfaces.add(surface)

    def hits(self, text: str) -> list[_Hit]:
        """Every registry surface or role title in text, checked for case and ambiguity hints, in order."""
        if self.regex is None:
            return []
        found = []
        for m in self.regex.finditer(text):
            raw = m.group(0)
            start, end = m.start(), m.end()
            key = surface_key(raw)  # dots dropped: "U.S." at a sentence end keeps its dot in the surface
            entries = [e for e in self.entries.get(key, []) if self._case_ok(e, raw)]
            entries = [e for e in entries if not self._excluded(e, text, start, end)]
            is_title = key in self.titles
            if not entries and not is_title:
                continue
            pos = _POSSESSIVE.match(text, end)
            found.append(_Hit(start, end, pos.end() if pos else end, raw, entries, is_title and not entries))
        return found

    @staticmethod
    def _case_ok(entry: _Entry, raw: str) -> bool:
        if entry.acronym:
            return [c for c in raw if c.isalpha()] == [c for c in entry.surface if c.isalpha()]
        return raw[:1].isupper()

    def _excluded(self, entry: _Entry, text: str, start: int, end: int) -> bool:
        hint = self.ambiguity.get((entry.actor_id, surface_key(entry.surface)))
        if hint is None:
            return False
        before = " " + " ".join(text[max(0, start - 60) : start].lower().replace(",", " ").split())
        after = " ".join(text[end : end + 60].lower().replace(",", " ").split()) + " "
        if any(before.endswith(" " + phrase) for phrase in hint.unless_prev):
            return True
        return any(
            after.startswith(phrase + " ") or after.startswith(phrase + ".") for phrase in hint.unless_next
        )


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
) -> list[Mention]:
    """Find mentions of registry actors in the headline (sentence_index -1) and the text.

    Names, aliases and demonyms always match; a person's surname alone only after a full mention (headline
    first, then text in order); role titles resolve to whoever held the role on `when` (docs/methods.md).
    """
    matcher = registry.matcher()
    introduced: set[str] = set()
    mentions: list[Mention] = []
    starts = _sentence_starts(sentences)
    for part, body in ((-1, title), (0, text)):
        for mention in _match_part(matcher, body, when, introduced):
            if part == -1:
                mention.sentence_index = -1
            else:
                mention.sentence_index = (
                    max(0, bisect.bisect_right(starts, mention.start) - 1) if starts else 0
                )
            mentions.append(mention)
    return mentions


def _match_part(matcher: _Matcher, text: str, when: date, introduced: set[str]) -> list[Mention]:
    registry = matcher.registry
    hits = matcher.hits(text)
    out: list[Mention] = []
    # The actor qualifying each title hit (index -> actor id), for coordinated titles sharing a possessive.
    qualifier: dict[int, str] = {}
    for i, hit in enumerate(hits):
        if not hit.title:
            names = [e for e in hit.entries if e.via != "surname"]
            if names:
                for entry in names:
                    introduced.add(entry.actor_id)
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
            if len(known) == 1:
                introduced.add(known[0].actor_id)
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
        if _premodifies_name(hits, i, text) or _not_holder(text, hit.start):
            continue
        holder = _resolve(matcher, surface_key(hit.text), q, when)
        if holder is not None:
            introduced.add(holder)
            out.append(Mention(holder, hit.text, "role", 0, hit.start, hit.end))
    return out


_HONORIFIC = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|General|Lt|Sen|Senator|Rep)\.?\s+)$")


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


def _qualifier(
    hits: list[_Hit], i: int, text: str, qualifier: dict[int, str], registry: ActorRegistry
) -> str | None:
    hit = hits[i]
    if i > 0:
        prev = hits[i - 1]
        gap = text[prev.possessive_end : hit.start]
        if not prev.title and prev.entries and (gap == "" or gap.isspace()) and len(gap) <= 2:
            actor = registry.get(prev.entries[0].actor_id)
            if actor is not None and actor.kind != "person":
                return actor.id
        if prev.title and (i - 1) in qualifier and _COORDINATORS.match(gap):
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


def _not_holder(text: str, start: int) -> bool:
    m = re.search(r"([A-Za-z]+)[\s-]*$", text[max(0, start - 20) : start])
    return bool(m and m.group(1).lower() in _NOT_HOLDER)


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
