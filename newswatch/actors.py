"""Actors: the registry (config/actors.toml), finding mentions in an article, actor-level tone, and candidates.

Matching is lexical and dated (role titles resolve by the article's date); never a model, never network.
"""

from __future__ import annotations

import bisect
import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from newswatch.errors import ConfigError
from newswatch.models import ActorTone, Mention, Sentence
from newswatch.tone import normalize_valence, token_valences

ActorKind = Literal["person", "country", "organisation", "group", "place"]
KINDS: tuple[str, ...] = ("person", "country", "organisation", "group", "place")
Label = Literal["negative", "neutral", "positive"]

_ACTOR_KEYS = {"id", "name", "kind", "aliases", "demonyms", "country", "roles", "ambiguous", "surname"}
_ROLE_KEYS = {"title", "country", "from", "to"}
_AMBIGUOUS_KEYS = {"surface", "unless_prev", "unless_next"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    country: str | None = None  # id of the actor that qualifies the title (a country, or an organisation)
    start: date | None = None  # "from" in the file
    end: date | None = None  # "to" in the file: last day in office

    def held_on(self, when: date) -> bool:
        return (self.start is None or self.start <= when) and (self.end is None or when <= self.end)


@dataclass(frozen=True, slots=True)
class Ambiguity:
    surface: str
    unless_prev: frozenset[str] = frozenset()  # lower-cased
    unless_next: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: ActorKind
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    country: str | None = None
    roles: tuple[Role, ...] = ()
    ambiguous: tuple[Ambiguity, ...] = ()
    surname: str | None = None  # persons: matched alone after a full mention

    def surfaces(self) -> Iterable[tuple[str, str]]:
        """(surface, via) for every way this actor is written, except role titles and the surname."""
        yield self.name, "name"
        for alias in self.aliases:
            yield alias, "alias"
        for demonym in self.demonyms:
            yield demonym, "demonym"


# --- loading --------------------------------------------------------------------------------------------


def _expect_str_list(path: Path, where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(path, where, "expected a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _parse_role(path: Path, where: str, raw: Any) -> Role:
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected a table {title, country, from, to}")
    unknown = set(raw) - _ROLE_KEYS
    if unknown:
        raise ConfigError(
            path, f"{where}.{sorted(unknown)[0]}", f"unknown key; expected one of {sorted(_ROLE_KEYS)}"
        )
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ConfigError(path, f"{where}.title", "expected a non-empty string")
    country = raw.get("country")
    if country is not None and not isinstance(country, str):
        raise ConfigError(path, f"{where}.country", "expected an actor id (string)")
    bounds: list[date | None] = []
    for key in ("from", "to"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, date) or hasattr(value, "hour")):
            raise ConfigError(path, f"{where}.{key}", "expected a TOML date like 2025-01-21 (no quotes)")
        bounds.append(value)
    if bounds[0] and bounds[1] and bounds[1] < bounds[0]:
        raise ConfigError(path, f"{where}.to", "ends before it starts")
    return Role(title=title.strip(), country=country, start=bounds[0], end=bounds[1])


def _parse_ambiguity(path: Path, where: str, raw: Any) -> Ambiguity:
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected a table {surface, unless_prev, unless_next}")
    unknown = set(raw) - _AMBIGUOUS_KEYS
    if unknown:
        raise ConfigError(
            path, f"{where}.{sorted(unknown)[0]}", f"unknown key; expected one of {sorted(_AMBIGUOUS_KEYS)}"
        )
    surface = raw.get("surface")
    if not isinstance(surface, str) or not surface.strip():
        raise ConfigError(path, f"{where}.surface", "expected a non-empty string")
    prev = _expect_str_list(path, f"{where}.unless_prev", raw.get("unless_prev", []))
    nxt = _expect_str_list(path, f"{where}.unless_next", raw.get("unless_next", []))
    return Ambiguity(
        surface=surface.strip(),
        unless_prev=frozenset(w.lower() for w in prev),
        unless_next=frozenset(w.lower() for w in nxt),
    )


def _parse_actor(path: Path, index: int, raw: Any) -> Actor:
    where = f"actor[{index}]"
    if not isinstance(raw, dict):
        raise ConfigError(path, where, "expected an [[actor]] table")
    ident = raw.get("id")
    if isinstance(ident, str):
        where = f"actor[{index}] (id {ident!r})"
    unknown = set(raw) - _ACTOR_KEYS
    if unknown:
        raise ConfigError(
            path, f"{where}.{sorted(unknown)[0]}", f"unknown key; expected one of {sorted(_ACTOR_KEYS)}"
        )
    if not isinstance(ident, str) or not _ID.match(ident):
        raise ConfigError(path, f"{where}.id", "expected a slug of lower-case letters, digits and hyphens")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(path, f"{where}.name", "expected a non-empty string")
    kind = raw.get("kind")
    if kind not in KINDS:
        raise ConfigError(path, f"{where}.kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    country = raw.get("country")
    if country is not None and (not isinstance(country, str) or not _ID.match(country)):
        raise ConfigError(path, f"{where}.country", "expected the id of a country actor")
    roles_raw = raw.get("roles", [])
    if not isinstance(roles_raw, list):
        raise ConfigError(path, f"{where}.roles", "expected a list of tables")
    ambiguous_raw = raw.get("ambiguous", [])
    if not isinstance(ambiguous_raw, list):
        raise ConfigError(path, f"{where}.ambiguous", "expected a list of tables")
    surname = raw.get("surname")
    if surname is not None and not isinstance(surname, str):
        raise ConfigError(path, f"{where}.surname", "expected a string ('' disables the surname)")
    if surname is None and kind == "person":
        surname = name.split()[-1]
    return Actor(
        id=ident,
        name=name.strip(),
        kind=kind,
        aliases=_expect_str_list(path, f"{where}.aliases", raw.get("aliases", [])),
        demonyms=_expect_str_list(path, f"{where}.demonyms", raw.get("demonyms", [])),
        country=country,
        roles=tuple(_parse_role(path, f"{where}.roles[{i}]", r) for i, r in enumerate(roles_raw)),
        ambiguous=tuple(
            _parse_ambiguity(path, f"{where}.ambiguous[{i}]", a) for i, a in enumerate(ambiguous_raw)
        ),
        surname=surname or None,
    )


@dataclass
class ActorRegistry:
    """The actors of config/actors.toml, with the compiled matcher built once per registry."""

    actors: list[Actor]
    path: Path | None = None
    _by_id: dict[str, Actor] = field(init=False, repr=False)
    _matcher: _Matcher | None = field(init=False, default=None, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {a.id: a for a in self.actors}

    @classmethod
    def load(cls, path: Path) -> ActorRegistry:
        """Read and check an actors file; raises ConfigError naming the file, the entry and the key."""
        path = Path(path)
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(path, None, "actors file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(path, None, f"cannot read: {exc}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(path, None, f"not valid TOML: {exc}") from None
        unknown = set(raw) - {"actor"}
        if unknown:
            raise ConfigError(path, sorted(unknown)[0], "unknown top-level key; expected [[actor]] tables")
        entries = raw.get("actor", [])
        if not isinstance(entries, list):
            raise ConfigError(path, "actor", "expected [[actor]] tables")
        actors = [_parse_actor(path, i, entry) for i, entry in enumerate(entries)]
        seen: dict[str, int] = {}
        for i, actor in enumerate(actors):
            if actor.id in seen:
                raise ConfigError(
                    path, f"actor[{i}].id", f"duplicate id {actor.id!r} (first at actor[{seen[actor.id]}])"
                )
            seen[actor.id] = i
        for i, actor in enumerate(actors):
            refs = [("country", actor.country)] + [
                (f"roles[{j}].country", r.country) for j, r in enumerate(actor.roles)
            ]
            for key, ref in refs:
                if ref is not None and ref not in seen:
                    raise ConfigError(
                        path, f"actor[{i}] (id {actor.id!r}).{key}", f"no actor with id {ref!r}"
                    )
        return cls(actors=actors, path=path)

    def get(self, actor_id: str) -> Actor | None:
        return self._by_id.get(actor_id)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def matcher(self) -> _Matcher:
        if self._matcher is None:
            self._matcher = _Matcher(self)
        return self._matcher


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


def _key(surface: str) -> str:
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
                key = _key(role.title)
                self.titles.setdefault(key, []).append((actor.id, role))
                surfaces.add(role.title)
            for hint in actor.ambiguous:
                self.ambiguity[(actor.id, _key(hint.surface))] = hint
        trie = _trie_pattern(sorted(surfaces))
        self.regex = re.compile(rf"(?<![\w.])(?:{trie})(?!\w)", re.IGNORECASE) if surfaces else None

    def _add(self, surfaces: set[str], surface: str, entry: _Entry) -> None:
        key = _key(surface)
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
            key = _key(raw)  # dots dropped: "U.S." at a sentence end keeps its dot in the surface
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
        hint = self.ambiguity.get((entry.actor_id, _key(entry.surface)))
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
        holder = _resolve(matcher, _key(hit.text), q, when)
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
        holders = {a for a, role in matcher.titles.get(_key(hits[i - 1].text), []) if role.held_on(when)}
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

# Tuned on the dev half of NewsMTSC devtest_mt only (docs/methods.md, "Evaluation").
NEUTRAL_BAND = 0.1  # |compound| below this is neutral
WINDOW = 8  # words either side of the mention whose valence counts
# Words VADER scores as positive that, in political news, mostly name institutions ("special counsel",
# "national security", "intelligence committee", "the party", "Justice Department", "health care", "United").
NEWS_NEUTRAL = frozenset({"special", "security", "intelligence", "party", "justice", "care", "united"})
_TARGET = "qqnewswatchtargetqq"


def target_compound(sentence: str, start: int, end: int) -> float:
    """Tone toward the mention at sentence[start:end], -1..1.

    VADER's word valences over the whole sentence (so its negation, booster and "but" rules still see context),
    with the mention itself replaced by a placeholder, then only the words within WINDOW words of the mention
    are summed and normalised as VADER does. Words in NEWS_NEUTRAL count zero.
    """
    words, valences = token_valences(sentence[:start] + " " + _TARGET + " " + sentence[end:])
    at = next((i for i, w in enumerate(words) if _TARGET in w.lower()), None)
    total = 0.0
    for i, (word, value) in enumerate(zip(words, valences, strict=True)):
        if value == 0.0 or word.lower() in NEWS_NEUTRAL:
            continue
        if at is None or abs(i - at) <= WINDOW:
            total += value
    return normalize_valence(total)


def label_compound(compound: float, band: float = NEUTRAL_BAND) -> Label:
    """negative / neutral / positive with a neutral band of +-band."""
    if compound >= band:
        return "positive"
    if compound <= -band:
        return "negative"
    return "neutral"


def target_tone(sentence: str, start: int, end: int) -> Label:
    """Label of the tone toward the mention at sentence[start:end] (the method the pipeline uses)."""
    return label_compound(target_compound(sentence, start, end))


def score_actor_tones(
    mentions: Sequence[Mention], sentences: Sequence[Sentence], text: str
) -> list[ActorTone]:
    """Actor-level tone: mean of target_compound over the text sentences that mention the actor.

    In a sentence with several mentions of one actor, the first mention stands for it. Headline mentions count in
    `mentions` but not in tone, since their offsets point into the title.
    """
    by_index = {s.index: s for s in sentences}
    counts: Counter[str] = Counter()
    first: dict[str, dict[int, Mention]] = {}
    for m in mentions:
        counts[m.actor_id] += 1
        if m.sentence_index >= 0 and m.sentence_index in by_index:
            first.setdefault(m.actor_id, {}).setdefault(m.sentence_index, m)
    tones = []
    for actor_id in counts:
        per_sentence = first.get(actor_id, {})
        values = []
        for index, m in per_sentence.items():
            s = by_index[index]
            values.append(target_compound(text[s.start : s.end], m.start - s.start, m.end - s.start))
        compound = sum(values) / len(values) if values else 0.0
        tones.append(
            ActorTone(
                actor_id=actor_id,
                mentions=counts[actor_id],
                sentences=len(values),
                compound=compound,
                label=label_compound(compound),
            )
        )
    return tones


# --- candidates -----------------------------------------------------------------------------------------

_MONTHS_DAYS = frozenset(
    """
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """.split()  # noqa: SIM905
)
_STOP = frozenset(
    """
    a an the this that these those there here it its he she they we i you his her their our my your
    but and or so yet if when while as at in on of for to from by with after before during since until
    what why how who where which whether however meanwhile also then still only even just
    mr mrs ms dr
    """.split()  # noqa: SIM905
)
_LOWER_WORD = re.compile(r"(?<![\w'’-])[a-z]+(?![\w'’-])")
_SENTENCE_START = re.compile(r"(?:\A|[.!?…][\"'”’)]*\s+|\n)[\"'“‘(]*\Z")
_CONNECTORS = frozenset({"of", "the", "al", "bin", "de", "von", "van", "ul", "e"})
_CAP_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{2,5}|[A-Z]\.)"
_CANDIDATE = re.compile(
    rf"(?<![\w.])({_CAP_WORD}(?:\s+(?:(?:of|the|al|bin|de|von|van|ul|e)\s+)?{_CAP_WORD})*(?:['’]s)?)(?!\w)"
)


def find_candidates(registry: ActorRegistry, title: str, text: str) -> dict[str, int]:
    """Capitalised multi-word names not in the registry, with counts (heuristic in docs/methods.md).

    Registry surfaces and role titles are blanked out first; a phrase breaks at stopwords, and leading or
    trailing stopwords, months and days are dropped; what is left must have two or more capitalised words.
    """
    matcher = registry.matcher()
    counts: Counter[str] = Counter()
    lower_words = set(_LOWER_WORD.findall(title)) | set(_LOWER_WORD.findall(text))
    for body in (title, text):
        masked = list(body)
        for hit in matcher.hits(body):
            if hit.entries and all(e.via == "surname" for e in hit.entries):
                continue  # a bare surname may belong to someone else ("Ahmed Sharif Chaudhry")
            masked[hit.start : hit.possessive_end] = "|" * (hit.possessive_end - hit.start)
        joined = "".join(masked)
        for m in _CANDIDATE.finditer(joined):
            words = m.group(1).split()
            # A sentence's first word that the article also uses in lower case is a common word ("Yesterday").
            if _SENTENCE_START.search(joined, 0, m.start()) and words[0].lower() in lower_words:
                words = words[1:]
            for name in _candidate_names(words):
                counts[name] += 1
    return dict(counts)


def _candidate_names(words: list[str]) -> list[str]:
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


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower().replace("’", "").replace("'", "")).strip("-")


def _toml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def promote_candidate(
    actors_file: Path,
    name: str,
    kind: str,
    aliases: Sequence[str] = (),
    country: str | None = None,
) -> str:
    """Append a new [[actor]] block to the actors file (comments kept) and return its id.

    Refuses a name, alias or id already in the registry, an unknown kind or an unknown country (ConfigError).
    """
    actors_file = Path(actors_file)
    registry = ActorRegistry.load(actors_file)
    name = " ".join(name.split())
    if not name:
        raise ConfigError(actors_file, "name", "expected a non-empty name")
    if kind not in KINDS:
        raise ConfigError(actors_file, "kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    if country is not None and registry.get(country) is None:
        raise ConfigError(actors_file, "country", f"no actor with id {country!r}")
    new_id = _slug(name)
    if not new_id:
        raise ConfigError(actors_file, "name", f"cannot make an id from {name!r}")
    if registry.get(new_id) is not None:
        raise ConfigError(actors_file, f"actor {new_id!r}", "already in the registry")
    entries = registry.matcher().entries
    for surface in (name, *aliases):
        taken = [e.actor_id for e in entries.get(_key(surface), []) if e.via != "surname"]
        if taken:
            raise ConfigError(
                actors_file, f"actor {new_id!r}", f"{surface!r} is already a name of {taken[0]!r}"
            )
    lines = [
        "",
        "[[actor]]",
        f"id = {_toml_str(new_id)}",
        f"name = {_toml_str(name)}",
        f"kind = {_toml_str(kind)}",
    ]
    if country:
        lines.append(f"country = {_toml_str(country)}")
    if aliases:
        lines.append("aliases = [" + ", ".join(_toml_str(a) for a in aliases) + "]")
    existing = actors_file.read_text(encoding="utf-8")
    block = "\n".join(lines) + "\n"
    if existing and not existing.endswith("\n"):
        block = "\n" + block
    with actors_file.open("a", encoding="utf-8") as fh:
        fh.write(block)
    ActorRegistry.load(actors_file)  # the file must still load
    return new_id
