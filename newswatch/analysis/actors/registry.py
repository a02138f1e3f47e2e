"""The actor registry (config/actors.toml): people, countries, organisations, with names, aliases, demonyms
and dated role titles, checked when loaded.

Reads the actors file only; never matches text (matching.py) and never writes the file (candidates.py).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from newswatch.errors import ConfigError

if TYPE_CHECKING:
    from newswatch.analysis.actors.matching import _Matcher

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


def surface_key(surface: str) -> str:
    """Normalised lookup key: lower case, straight apostrophes, no dots, single spaces."""
    out = surface.replace("’", "'").replace(".", "").lower()
    return " ".join(out.split())


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


def _check_spellings(path: Path, actors: list[Actor]) -> None:
    """One spelling, one actor (as `actors promote` requires): a name, alias or demonym of two actors would give every
    occurrence to both, and one that is also another actor's role title would be read as the name, so the title would
    never resolve to its holder. Spellings are compared as the matcher compares them (case and dots aside)."""
    owner: dict[str, tuple[int, str]] = {}
    titles: dict[str, list[str]] = {}  # every holder, in file order: an actor's own title is refused when another holds it
    for actor in actors:
        for role in actor.roles:
            holders = titles.setdefault(surface_key(role.title), [])
            if actor.id not in holders:
                holders.append(actor.id)
    keys = {"name": "name", "alias": "aliases", "demonym": "demonyms"}
    for i, actor in enumerate(actors):
        for surface, via in actor.surfaces():
            key = surface_key(surface)
            where = f"actor[{i}] (id {actor.id!r}).{keys[via]}"
            first = owner.setdefault(key, (i, actor.id))
            if first[1] != actor.id:
                raise ConfigError(path, where, f"{surface!r} is already a name of {first[1]!r} (actor[{first[0]}]): "
                                  "every mention would count for both; keep it on one actor")
            holder = next((h for h in titles.get(key, ()) if h != actor.id), None)
            if holder is not None:
                raise ConfigError(path, where, f"{surface!r} is a role title in the registry (held by {holder!r}): "
                                  "as a name it would take the holder's mentions")


def _check_terms(path: Path, actors: list[Actor]) -> None:
    """One holder at a time of a title of one country (or body): a title held by two actors on a day resolves to
    neither, so its mentions through the overlap would be lost. One actor's own terms may overlap; titles without a
    country may be shared (they resolve only once their holder is named)."""
    terms: dict[tuple[str, str], list[tuple[int, int, Actor, Role]]] = {}
    for i, actor in enumerate(actors):
        for j, role in enumerate(actor.roles):
            if role.country is None:
                continue
            key = (surface_key(role.title), role.country)
            for k, n, other, held in terms.get(key, []):
                if other.id != actor.id and _overlap(role, held):
                    raise ConfigError(
                        path, f"actor[{i}] (id {actor.id!r}).roles[{j}]",
                        f"{key[0]!r} of {role.country!r} is also held by {other.id!r} (actor[{k}].roles[{n}]) "
                        f"{_term(held)}: a title resolves to its one holder on the article's date, and to nobody "
                        "while two hold it; end one term ('to', the last day in office) before the other starts")
            terms.setdefault(key, []).append((i, j, actor, role))


def _overlap(a: Role, b: Role) -> bool:
    return (a.start is None or b.end is None or a.start <= b.end) and (b.start is None or a.end is None or b.start <= a.end)


def _term(role: Role) -> str:
    start = role.start.isoformat() if role.start else "always"
    return f"from {start} to {role.end.isoformat()}" if role.end else f"from {start} on"


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
            home = actors[seen[actor.country]] if actor.country is not None else None
            if home is not None and home.kind != "country":  # a role's qualifier may be a body; an actor's home not
                raise ConfigError(path, f"actor[{i}] (id {actor.id!r}).country",
                                  f"{home.id!r} is a {home.kind}, not a country")
            spellings = {surface_key(s) for s, _ in actor.surfaces()} | {surface_key(actor.surname or "")}
            for j, hint in enumerate(actor.ambiguous):
                if surface_key(hint.surface) not in spellings:  # the hint would never be applied
                    raise ConfigError(path, f"actor[{i}] (id {actor.id!r}).ambiguous[{j}].surface",
                                      f"{hint.surface!r} is not a name, alias or demonym of {actor.id!r} (nor its "
                                      "surname): the hint would never apply")
        _check_spellings(path, actors)
        _check_terms(path, actors)
        return cls(actors=actors, path=path)

    def get(self, actor_id: str) -> Actor | None:
        return self._by_id.get(actor_id)

    def __contains__(self, actor_id: object) -> bool:
        return actor_id in self._by_id

    def matcher(self) -> _Matcher:
        if self._matcher is None:
            from newswatch.analysis.actors.matching import _Matcher

            self._matcher = _Matcher(self)
        return self._matcher
