"""Typed settings, loaded once from TOML and checked at the edge.

A bad file raises ConfigError naming the file, the key and what was expected. Nothing here is global:
`load_settings` builds a `Settings` and callers pass it down.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newswatch.errors import ConfigError

if TYPE_CHECKING:  # the stage modules import this one; their settings types are read lazily below
    from newswatch.report.mail import EmailSettings
    from newswatch.schedule import ScheduleSettings
    from newswatch.sources.pages import FulltextSettings
    from newswatch.sources.search import SearchSettings

CONFIG_ENV = "NEWSWATCH_CONFIG"
DEFAULT_CONFIG = Path("config/newswatch.toml")

# The User-Agent of every request newswatch makes (feeds, pages, robots.txt, search), unless configured.
USER_AGENT = "newswatch/0.1 (+https://github.com/newswatch/newswatch)"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageSettings(_Model):
    database: Path = Path("data/newswatch.duckdb")
    # The read-only copy that SQL clients open; published after each run (docs/schema.md).
    client_copy: Path | None = None


class FeedSettings(_Model):
    name: Annotated[str, Field(min_length=1)]
    url: Annotated[str, Field(min_length=1)]
    outlet: str | None = None
    country: str | None = None
    language: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        scheme = urlparse(value).scheme.lower()
        if scheme in ("http", "https", "file") or scheme == "" or len(scheme) == 1:  # 1: a Windows drive
            return value
        raise ValueError(f"expected an http(s) URL, a file:// URL or a local path, got scheme {scheme!r}")

    @property
    def outlet_name(self) -> str:
        return self.outlet or self.name


class InboxSettings(_Model):
    paths: list[Path] = Field(default_factory=list)
    outlet: str = "inbox"


class TopicSettings(_Model):
    name: Annotated[str, Field(min_length=1)]
    description: str = ""
    any: list[str] = Field(default_factory=list)
    all: list[str] = Field(default_factory=list)
    none: list[str] = Field(default_factory=list)
    seeds: list[Path] = Field(default_factory=list)
    queries: list[str] = Field(default_factory=list)
    # An article joins the topic when its score reaches this (0..1); see docs/config.md.
    min_score: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5


class DigestSettings(_Model):
    timezone: str = "UTC"
    output_dir: Path = Path("digests")
    # Fixed digest date for the default run; unset means "yesterday in timezone".
    date: dt.date | None = None
    top_actors: Annotated[int, Field(ge=1, le=100)] = 8
    top_articles: Annotated[int, Field(ge=1, le=200)] = 10
    # Percentages and flags wait until this many of the 7 days before were observed (report.measures).
    min_baseline_days: Annotated[int, Field(ge=1, le=7)] = 5

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"expected an IANA time zone such as 'Europe/Berlin', got {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class FetchSettings(_Model):
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 20.0
    max_bytes: Annotated[int, Field(gt=0)] = 10 * 1024 * 1024
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    concurrency: Annotated[int, Field(ge=1, le=64)] = 8
    user_agent: str = USER_AGENT
    # Networks that may be fetched although they are loopback, private, link-local... (sources/addresses.py).
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @field_validator("allow_networks", mode="before")
    @classmethod
    def _check_networks(cls, value: object) -> object:
        if not isinstance(value, list | tuple):
            raise ValueError(f'expected a list of networks such as ["10.0.0.0/8"], got {value!r}')
        networks = []
        for item in value:
            if isinstance(item, ipaddress.IPv4Network | ipaddress.IPv6Network):
                networks.append(item)
                continue
            example = 'expected networks in CIDR form such as "10.0.0.0/8" or "fd00::/8"'
            if not isinstance(item, str):
                raise ValueError(f"{example}, got {item!r}")
            try:
                networks.append(ipaddress.ip_network(item.strip()))
            except ValueError as exc:
                raise ValueError(f"{example}, got {item!r} ({exc})") from None
        return tuple(networks)


class RunnerSettings(_Model):
    # Articles per Prefect task (a task takes a batch, never one article: ../docs/performance.md).
    batch_size: Annotated[int, Field(ge=1, le=100_000)] = 500
    # Processes used for scoring; 0 means one per CPU.
    workers: Annotated[int, Field(ge=0, le=256)] = 0
    task_runner: Literal["thread", "dask"] = "thread"
    dask_address: str | None = None


class Settings(_Model):
    path: Path
    root: Path
    storage: StorageSettings = StorageSettings()
    feeds: list[FeedSettings] = Field(default_factory=list)
    inbox: InboxSettings = InboxSettings()
    topics: list[TopicSettings] = Field(default_factory=list)
    digest: DigestSettings = DigestSettings()
    fetch: FetchSettings = FetchSettings()
    runner: RunnerSettings = RunnerSettings()
    actors_file: Path = Path("config/actors.toml")
    # Sections owned by later features are kept as raw tables and validated by their own modules.
    extra: dict[str, Any] = Field(default_factory=dict)

    def resolve(self, path: Path) -> Path:
        """A path from the config, made absolute against the project root."""
        return path if path.is_absolute() else (self.root / path)

    @property
    def database_path(self) -> Path:
        return self.resolve(self.storage.database)

    @property
    def client_copy_path(self) -> Path:
        if self.storage.client_copy is not None:
            return self.resolve(self.storage.client_copy)
        db = self.database_path
        return db.with_name(db.stem + "-read" + db.suffix)

    @property
    def output_dir(self) -> Path:
        return self.resolve(self.digest.output_dir)

    # The sections checked by their stage's own code, as typed settings (checked once already at load time).
    @property
    def email(self) -> EmailSettings | None:
        """[email], or None when there is none (no mail is sent)."""
        from newswatch.report.mail import parse_email_settings

        return parse_email_settings(self.extra.get("email"), self.path)

    @property
    def fulltext(self) -> FulltextSettings:
        from newswatch.sources.pages import parse_fulltext_settings

        return parse_fulltext_settings(self.extra.get("fulltext"), self.path)

    @property
    def search(self) -> SearchSettings:
        from newswatch.sources.search import parse_search_settings

        return parse_search_settings(self.extra.get("search"), self.path)

    @property
    def schedule(self) -> ScheduleSettings:
        from newswatch.schedule import parse_schedule_settings

        return parse_schedule_settings(self.extra.get("schedule"), self.path, self.digest.timezone)


# Top-level keys handled by Settings itself; anything else must be registered in EXTRA_SECTIONS.
_CORE_SECTIONS = {"storage", "feeds", "inbox", "topics", "digest", "fetch", "runner", "actors_file"}
EXTRA_SECTIONS: set[str] = {"schedule", "email", "fulltext", "search"}


def find_config(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to use: --config, then $NEWSWATCH_CONFIG, then ./config/newswatch.toml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env)
    return DEFAULT_CONFIG


def project_root(config_path: Path) -> Path:
    """Relative paths resolve against the project folder: the folder that holds config/ (docs/config.md)."""
    folder = config_path.resolve().parent
    return folder.parent if folder.name == "config" else folder


def _format_loc(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for item in loc:
        if isinstance(item, int):
            label = ""
            if isinstance(node, list) and item < len(node) and isinstance(node[item], dict):
                name = node[item].get("name")
                label = f" ({name!r})" if name else ""
            parts[-1:] = [f"{parts[-1] if parts else ''}[{item}]{label}"]
            node = node[item] if isinstance(node, list) and item < len(node) else None
        else:
            parts.append(str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_settings(data: dict[str, Any], path: Path) -> Settings:
    unknown = sorted(set(data) - _CORE_SECTIONS - EXTRA_SECTIONS)
    if unknown:
        known = ", ".join(sorted(_CORE_SECTIONS | EXTRA_SECTIONS))
        raise ConfigError(path, unknown[0], f"unknown key; expected one of: {known}")
    core = {k: v for k, v in data.items() if k in _CORE_SECTIONS}
    extra = {k: v for k, v in data.items() if k in EXTRA_SECTIONS}
    for key, value in extra.items():
        if not isinstance(value, dict):
            raise ConfigError(path, key, f"expected a table [{key}], got {type(value).__name__}")
    try:
        settings = Settings(path=path, root=project_root(path), extra=extra, **core)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = _format_loc(tuple(err["loc"]), data)
        problem = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            problem = "unknown key"
        elif err["type"] == "missing":
            problem = "required key is missing"
        given = err.get("input")
        if err["type"] not in ("missing", "extra_forbidden", "value_error") and not isinstance(given, dict | list):
            problem += f" (got {given!r})"
        raise ConfigError(path, key, problem) from None
    names = [f.name for f in settings.feeds]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(path, "feeds", f"feed names must be unique; {dupes[0]!r} appears twice")
    topic_names = [t.name for t in settings.topics]
    dupes = sorted({n for n in topic_names if topic_names.count(n) > 1})
    if dupes:
        raise ConfigError(path, "topics", f"topic names must be unique; {dupes[0]!r} appears twice")
    check_extra_sections(settings)
    return settings


def check_extra_sections(settings: Settings) -> None:
    """Fail at load time on a bad [email], [schedule], [search] or [fulltext], not hours later when used."""
    for section in ("search", "fulltext", "email", "schedule"):
        getattr(settings, section)


def load_settings(explicit: str | os.PathLike[str] | None = None) -> Settings:
    path = find_config(explicit)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(path, None, "config file not found (pass --config PATH or set NEWSWATCH_CONFIG)") from None
    except OSError as exc:
        raise ConfigError(path, None, f"cannot read config file: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(path, None, f"expected UTF-8 text, found an undecodable byte at offset {exc.start}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(path, None, f"malformed TOML: {exc}") from None
    return parse_settings(data, path)
