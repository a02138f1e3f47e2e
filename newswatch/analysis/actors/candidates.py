"""Candidate actors: capitalised names not in the registry, and promoting one into the actors file.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import tomlkit
import tomlkit.exceptions
import tomlkit.items

from newswatch.analysis.actors.matching import _POSSESSIVE, SENTENCE_START, surface_key
from newswatch.analysis.actors.registry import KINDS, ActorRegistry
from newswatch.errors import ConfigError

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
# A character that may not touch a lower-case word on either side (`_used_in_lower_case`).
_WORD_CHAR = re.compile(r"[\w'’-]")
_CONNECTORS = frozenset({"of", "the", "al", "bin", "de", "von", "van", "ul", "e"})
_CAP_WORD = r"(?:[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{2,5}|[A-Z]\.)"
_CAP_WORD_REST = r"(?:[a-z]+(?:[-'’][A-Z]?[a-z]+)*|[A-Z]{1,4}|\.)"  # _CAP_WORD after its first capital
_NAME_JOIN = r"\s+(?:(?:of|the|al|bin|de|von|van|ul|e)\s+)?"
# Capitalised words, not after a word character or a dot: rf"(?<![\w.])({_CAP_WORD}(?:{_NAME_JOIN}{_CAP_WORD})*
# (?:['’]s)?)(?!\w)". Written with the first capital ahead of that check (a lookbehind over the character before
# it and itself), because a pattern that opens with a character class lets re jump from capital to capital:
# three times faster than trying the lookbehind at every character, same matches (tests/unit/test_fast_paths.py).
_CANDIDATE = re.compile(
    rf"([A-Z](?<![\w.][A-Z]){_CAP_WORD_REST}(?:{_NAME_JOIN}{_CAP_WORD})*(?:['’]s)?)(?!\w)"
)


def find_candidates(registry: ActorRegistry, title: str, text: str) -> dict[str, int]:
    """Capitalised multi-word names not in the registry, with counts (heuristic in docs/methods.md).

    Registry surfaces and role titles are blanked out first; a phrase breaks at stopwords, and leading or
    trailing stopwords, months and days are dropped; what is left must have two or more capitalised words.
    """
    matcher = registry.matcher()
    counts: Counter[str] = Counter()
    lower_case: dict[str, bool] = {}  # word -> whether title or text uses it in lower case
    for body in (title, text):
        joined = _masked(body, [(hit.start, hit.possessive_end) for hit in matcher.hits(body)
                                # a bare surname may belong to someone else ("Ahmed Sharif Chaudhry")
                                if not (hit.entries and all(e.via == "surname" for e in hit.entries))])
        for m in _CANDIDATE.finditer(joined):
            words = m.group(1).split()
            if len(words) < 2:
                continue  # most matches are one capitalised word, never a name of two
            # A sentence's first word that the article also uses in lower case is a common word ("Yesterday").
            if SENTENCE_START.search(joined, max(0, m.start() - 8), m.start()):
                first = words[0].lower()
                if first not in lower_case:
                    lower_case[first] = _used_in_lower_case(first, title, text)
                if lower_case[first]:
                    words = words[1:]
            for name in _candidate_names(words):
                counts[name] += 1
    return dict(counts)


def _masked(body: str, spans: list[tuple[int, int]]) -> str:
    """`body` with every character inside a span (start, end) replaced by "|", the text kept between them.

    Built from slices of the text rather than by writing "|" over a list of its characters and joining them again
    (a list of every character of the article, about a tenth of `find_candidates`' time): spans are taken in order of
    their start, and a span reaching into one already masked masks only what lies past it, so the result is the
    same string whatever the spans' order or overlaps (tests/unit/test_fast_paths.py)."""
    pieces: list[str] = []
    at = 0  # body[:at] is written (masked or kept)
    for start, end in sorted(spans):
        start = max(start, at)
        if end <= start:
            continue
        pieces += (body[at:start], "|" * (end - start))
        at = end
    if not pieces:
        return body
    pieces.append(body[at:])
    return "".join(pieces)


def _used_in_lower_case(word: str, title: str, text: str) -> bool:
    r"""Whether title or text has `word` as a whole word of lower-case ASCII letters: a match of
    (?<![\w'’-])[a-z]+(?![\w'’-]) equal to it. Looked up per word asked about: finding every such word of a long text
    took longer than all the lookups (tests/unit/test_fast_paths.py compares the two)."""
    if not (word.isascii() and word.isalpha() and word.islower()):
        return False  # not [a-z]+
    for body in (title, text):
        at = body.find(word)
        while at >= 0:
            end = at + len(word)
            if not (at and _WORD_CHAR.match(body, at - 1)) and not _WORD_CHAR.match(body, end):
                return True
            at = body.find(word, at + 1)
    return False


def _candidate_names(words: list[str]) -> list[str]:
    runs: list[list[str]] = [[]]
    for word in words:
        possessive = ("'" in word or "’" in word) and _POSSESSIVE.search(word)  # most words have no apostrophe
        kept = _POSSESSIVE.sub("", word) if possessive else word
        bare = kept.strip(".").lower()
        if bare in _STOP or bare in _MONTHS_DAYS:
            runs.append([])
            continue
        runs[-1].append(kept)
        if possessive:
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
    """An id from a name: accents folded ("José Müller" -> jose-muller); a name with no Latin letters at all
    gets "actor-" and a short hash of the name, so every name has an id."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower().replace("’", "").replace("'", "")).strip("-")
    return slug or f"actor-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"


def _clean(actors_file: Path, what: str, value: str) -> str:
    """One line of visible text, spaces collapsed; ConfigError for control or invisible characters."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") and not ch.isspace() for ch in value):
        raise ConfigError(actors_file, what, f"{value!r} holds control or invisible characters")
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ConfigError(actors_file, what, "expected a non-empty name")
    return cleaned


def promote_candidate(
    actors_file: Path,
    name: str,
    kind: str,
    aliases: Sequence[str] = (),
    country: str | None = None,
) -> str:
    """Add a new actor to the actors file (comments kept; the file replaced only once the result loads); return its id.

    Refuses a name, alias or id already in the registry, an unknown kind or an unknown country (ConfigError).
    """
    actors_file = Path(actors_file)
    registry = ActorRegistry.load(actors_file)
    name = _clean(actors_file, "name", name)
    aliases = list(dict.fromkeys(a for a in (_clean(actors_file, "alias", x) for x in aliases)
                                 if surface_key(a) != surface_key(name)))
    if kind not in KINDS:
        raise ConfigError(actors_file, "kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    if country is not None:
        home = registry.get(country)
        if home is None:
            raise ConfigError(actors_file, "country", f"no actor with id {country!r}")
        if home.kind != "country":
            raise ConfigError(actors_file, "country", f"{country!r} is a {home.kind}, not a country")
    new_id = _slug(name)
    if registry.get(new_id) is not None:
        raise ConfigError(actors_file, f"actor {new_id!r}", "already in the registry")
    entries = registry.matcher().entries
    titles = {surface_key(role.title): actor.id for actor in registry.actors for role in actor.roles}
    for surface in (name, *aliases):
        key = surface_key(surface)
        for entry in entries.get(key, []):
            if entry.via == "surname":  # "Rubio" alone is Marco Rubio's after a full mention: not a new actor
                raise ConfigError(actors_file, f"actor {new_id!r}", f"{surface!r} is the surname of "
                                  f"{entry.actor_id!r}, matched after a full mention; promote a full name")
            raise ConfigError(actors_file, f"actor {new_id!r}", f"{surface!r} is already a name of {entry.actor_id!r}")
        if key in titles:  # a title resolves to its holder by date; as a name it would take the holder's mentions
            raise ConfigError(actors_file, f"actor {new_id!r}", f"{surface!r} is a role title in the registry "
                              f"(held by {titles[key]!r}): add the person, with the role, instead")
    _write_checked(actors_file, _with_actor(actors_file, new_id, name, kind, country, aliases))
    return new_id


def _with_actor(actors_file: Path, new_id: str, name: str, kind: str, country: str | None,
                aliases: Sequence[str]) -> str:
    """The actors file's text with one more actor. After [[actor]] tables the new table is appended as text, so
    every byte before it (comments, layout) is kept; an inline `actor = [...]` array gets one more inline table
    through tomlkit, which keeps the comments."""
    with actors_file.open(encoding="utf-8", newline="") as handle:  # as written: CRLF stays CRLF
        existing = handle.read()
    try:
        doc = tomlkit.parse(existing)
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(actors_file, None, f"not valid TOML: {exc}") from None
    entry: dict[str, object] = {"id": new_id, "name": name, "kind": kind}
    if country:
        entry["country"] = country
    if aliases:
        entry["aliases"] = list(aliases)
    actors = doc.get("actor")
    if actors is None or isinstance(actors, tomlkit.items.AoT):
        block = tomlkit.document()
        block.append("actor", tomlkit.aot())
        block["actor"].append(tomlkit.item(entry))
        newline = "\r\n" if "\r\n" in existing else "\n"
        sep = "" if not existing else newline if existing.endswith("\n") else newline * 2
        return existing + sep + tomlkit.dumps(block).replace("\n", newline)
    if isinstance(actors, tomlkit.items.Array):
        inline = tomlkit.inline_table()
        inline.update(entry)
        actors.add_line(inline, indent="  ")
        return tomlkit.dumps(doc)
    raise ConfigError(actors_file, "actor", "expected [[actor]] tables")


def _write_checked(actors_file: Path, text: str) -> None:
    """Replace the actors file with `text` only once that text loads as a registry: write a temporary file in the
    same folder, load it, then rename it over the original (atomic), so the file is never left half-written."""
    target = actors_file.resolve()  # a symlinked registry: write where it points, keep the link
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))  # its permissions, not the umask's
        try:
            ActorRegistry.load(tmp)
        except ConfigError as exc:  # name the real file, not the temporary one
            raise ConfigError(actors_file, exc.key, exc.problem) from None
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
