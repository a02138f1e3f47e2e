"""Typed settings, loaded once from TOML and checked at the edge.

Every section is a frozen pydantic model that refuses unknown keys; a bad file raises ConfigError naming the
file, the key and what was expected. Nothing here is global: `load_settings` builds a `Settings` and callers
pass it down.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import string
import tomllib
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.utils import getaddresses, parseaddr
from pathlib import Path
from typing import Annotated, Any, Literal, get_args
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cronsim import CronSim, CronSimError
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo

from newswatch.errors import ConfigError

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
    # DuckDB's memory limit for the ingest's connection ("512MB", "2GB"; "" for DuckDB's default, 80% of RAM):
    # without it DuckDB keeps the growing store's blocks cached and an ingest's memory grows with the history.
    ingest_memory_limit: Annotated[str, Field(
        pattern=r"^(|\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB))$",
        description="a size such as '512MB' or '1.5GB' (units KB, MB, GB, TB, KiB, MiB, GiB, TiB), or '' for "
                    "DuckDB's default")] = "512MB"
    # An ingest publishes the read copy only when the copy on disk is at least this old (minutes); 0: after every
    # ingest that changed something. A large store's copy is a whole-file write per run (docs/performance.md).
    client_copy_interval_minutes: Annotated[int, Strict(), Field(ge=0)] = 0

    @field_validator("ingest_memory_limit")
    @classmethod
    def _check_memory(cls, value: str) -> str:
        """At least 64 MB: below that DuckDB cannot even record a migration ("0KB" passed the pattern, then every
        ingest failed with an out-of-memory error)."""
        match = re.match(r"^(\d+(?:\.\d+)?)\s*([KMGT])(i?)B$", value)
        if match:
            base = 1024 if match.group(3) else 1000
            size = float(match.group(1)) * base ** ("KMGT".index(match.group(2)) + 1)
            if size < 64 * 10**6:
                raise ValueError(f"expected at least 64MB, got {value!r}")
        return value


def _name(value: str) -> str:
    """A feed's or topic's name: one visible line (spaces around it dropped), no control or invisible characters
    (a zero-width space made "india\u200b-pakistan" a second topic that looked like the first)."""
    value = _one_line(value)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value):
        raise ValueError(f"{value!r} holds control or invisible characters")
    return value


# The name of a feed or a topic: how the digest, the views and the CLI call it.
Name = Annotated[str, Strict(), AfterValidator(_name)]


class FeedSettings(_Model):
    name: Name
    url: Annotated[str, Field(min_length=1)]
    outlet: str | None = None
    country: str | None = None
    language: str | None = None

    @field_validator("url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        value = _one_line(value)  # " " was accepted and failed only at the ingest, as a file named " "
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
    name: Name
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
    # A scheduled digest first builds (and mails) up to this many days before its own that have no digest since the
    # last one stored: the days a cron job or the machine did not run (report.digest.missed_days). 0: never.
    missed_days: Annotated[int, Field(ge=0, le=28)] = 3

    @field_validator("timezone")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # OSError: a folder of zones ("America")
            raise ValueError(f"expected an IANA time zone such as 'Europe/Berlin', got {value!r}") from exc
        return value

    @field_validator("date")
    @classmethod
    def _check_date(cls, value: dt.date | None) -> dt.date | None:
        from newswatch.days import FIRST_DAY, LAST_DAY

        if value is not None and not FIRST_DAY <= value <= LAST_DAY:
            raise ValueError(f"expected a date between {FIRST_DAY} and {LAST_DAY}, got {value}")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


class FetchSettings(_Model):
    timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 20.0
    max_bytes: Annotated[int, Field(gt=0)] = 10 * 1024 * 1024
    max_redirects: Annotated[int, Field(ge=0, le=20)] = 5
    concurrency: Annotated[int, Field(ge=1, le=64)] = 8
    user_agent: str = USER_AGENT
    # Networks that may be fetched although they are loopback, private, link-local... (sources/addresses.py).
    allow_networks: Networks = ()

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


# The sections below are strict: a TOML string is not taken for a number, nor a number for true or false.
class _KeyProblem(ValueError):
    """A check on a whole table that blames one key in it: `loc` is appended to the table's place."""

    def __init__(self, loc: tuple[str | int, ...], problem: str) -> None:
        super().__init__(problem)
        self.loc = loc


def _one_line(value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError("expected a single line, got a line break")
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


# A non-empty one-line string; the TOML must give a string (no number or boolean is turned into one).
Line = Annotated[str, Strict(), AfterValidator(_one_line)]
Count = Annotated[int, Strict()]
Seconds = Annotated[float, Strict()]  # a TOML integer is accepted too


# ---------------------------------------------------------------------------------------------- [fulltext]
class FulltextSettings(_Model):
    """[fulltext]: reading the pages of articles whose feed gave only a short text (sources/pages.py)."""

    enabled: StrictBool = True  # on by default; pages are only read for feeds fetched over HTTP(S)
    # Fetch the page when the feed's text is shorter than this (characters).
    min_chars: Annotated[Count, Field(ge=0)] = 600
    max_pages_per_run: Annotated[Count, Field(ge=0)] = 200
    time_budget_seconds: Annotated[Seconds, Field(ge=0)] = 60.0
    per_domain_concurrency: Annotated[Count, Field(ge=1)] = 2
    per_domain_interval_seconds: Annotated[Seconds, Field(ge=0)] = 1.0
    timeout_seconds: Annotated[Seconds, Field(ge=0.001)] = 15.0
    max_bytes: Annotated[Count, Field(ge=1)] = 5_000_000
    respect_robots: StrictBool = True
    user_agent: Line = USER_AGENT
    # Not a [fulltext] key (see _NOT_IN_FILE): [fetch] allow_networks, copied in by Settings.
    allow_networks: Networks = ()


# ---------------------------------------------------------------------------------------------- [search]
class SearchSettings(_Model):
    """[search]: the search providers polled for the queries of topics (sources/search/)."""

    enabled: StrictBool = False
    # GDELT gives publisher URLs and languages; Bing gives URLs and snippets; Google News gives headlines only.
    providers: tuple[str, ...] = ("gdelt", "bing_news")
    # A provider's endpoint instead of its own (tests point it at 127.0.0.1).
    base_urls: dict[str, Annotated[str, Strict()]] = Field(default_factory=dict)

    @field_validator("providers", mode="before")
    @classmethod
    def _check_providers(cls, value: object) -> object:
        if not isinstance(value, list | tuple) or not all(isinstance(p, str) for p in value):
            raise ValueError(f"expected a list of provider names, got {value!r}")
        known = _search_providers()
        for name in value:
            if name not in known:
                raise ValueError(f"unknown search provider {name!r}; expected one of: {', '.join(sorted(known))}")
        return tuple(dict.fromkeys(value))

    @field_validator("base_urls", mode="before")
    @classmethod
    def _check_base_urls(cls, value: object) -> object:
        if not isinstance(value, dict):
            raise ValueError("expected a table of provider name = URL")
        known = _search_providers()
        for name in value:
            if name not in known:
                raise _KeyProblem((name,), f"unknown search provider; expected one of: {', '.join(sorted(known))}")
        return value


def _search_providers() -> set[str]:
    # Read when a config is checked, not at import: the providers' package imports this module.
    from newswatch.sources.search import PROVIDERS

    return set(PROVIDERS)


# ---------------------------------------------------------------------------------------------- [schedule]
DEFAULT_INGEST_CRON = "*/30 * * * *"
DEFAULT_DIGEST_TIME = dt.time(7, 0)
_CRON = "a cron expression with 5 fields, such as '*/30 * * * *'"
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class ScheduleSettings(_Model):
    """[schedule]: when `newswatch serve` runs ingest and the digest (newswatch/schedule.py)."""

    ingest_cron: str = DEFAULT_INGEST_CRON
    digest_time: dt.time = DEFAULT_DIGEST_TIME
    # Not a [schedule] key (see _NOT_IN_FILE): the IANA zone both schedules run in, [digest].timezone.
    timezone: str = "UTC"

    @field_validator("ingest_cron", mode="before")
    @classmethod
    def _check_cron(cls, value: object) -> object:
        problem = cron_problem(value)
        if problem:
            raise ValueError(problem)
        assert isinstance(value, str)
        return " ".join(value.split())

    @field_validator("digest_time", mode="before")
    @classmethod
    def _check_time(cls, value: object) -> dt.time:
        # TOML has a local-time type (digest_time = 07:00:00); accept it as well as the string "07:00".
        if isinstance(value, dt.time):
            if value.second or value.microsecond or value.tzinfo is not None:
                raise ValueError(f"expected whole minutes and no offset, got {value}")
            return value
        if isinstance(value, str):
            match = _HHMM.match(value.strip())
            if match:
                return dt.time(int(match.group(1)), int(match.group(2)))
        raise ValueError(f'expected a time of day as "HH:MM" (24-hour), such as "07:00", got {value!r}')


def cron_problem(expression: object) -> str | None:
    """Why `expression` is not a usable 5-field cron expression, or None."""
    if not isinstance(expression, str):
        return f"expected {_CRON}, got {expression!r}"
    fields = expression.split()
    if len(fields) != 5:
        return f"expected {_CRON} (minute hour day month weekday), got {len(fields)} fields in {expression!r}"
    try:
        next(iter(CronSim(expression, dt.datetime(2000, 1, 1))))
    except (CronSimError, StopIteration) as exc:
        return f"expected {_CRON}, got {expression!r}: {exc or 'it never fires'}"
    return None


# ---------------------------------------------------------------------------------------------- [email]
Security = Literal["starttls", "ssl", "none"]
DEFAULT_PORTS: dict[str, int] = {"starttls": 587, "ssl": 465, "none": 25}
SUBJECT_FIELDS = ("date", "subject")
DEFAULT_SUBJECT = "newswatch digest {date}"
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def address_problem(value: str) -> str | None:
    """Why `value` is not one usable address ('a@example.org' or 'Name <a@example.org>'), or None."""
    if "\r" in value or "\n" in value:
        return f"expected one address on one line, got {value!r}"
    parsed = getaddresses([value])
    if len(parsed) != 1:
        return f"expected one address, got {value!r} (put each recipient in its own list item)"
    spec = parsed[0][1]
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or domain.startswith(".") or domain.endswith("."):
        return f"expected an address such as 'news@example.org', got {value!r}"
    try:
        Address(addr_spec=spec)
    except (HeaderParseError, ValueError, IndexError):
        return f"expected an address such as 'news@example.org', got {value!r}"
    return None


def _address(value: str) -> str:
    problem = address_problem(value)
    if problem:
        raise ValueError(problem)
    return value.strip()


MailAddress = Annotated[str, Strict(), AfterValidator(_address)]


class EmailSettings(_Model):
    """[email]: mailing the digest (report/mail.py). No table, no mail. Never a password: only where to find it."""

    host: Annotated[Line, Field(description="the SMTP server's host name")]
    # Default: 587 for starttls, 465 for ssl, 25 for none.
    port: Annotated[Count, Field(ge=1, le=65535)]
    security: Security = "starttls"
    username: Line | None = None
    password_env: Line | None = None  # the name of an environment variable holding the SMTP password
    password_block: Line | None = None  # the name of a Prefect Secret block holding the SMTP password
    sender: MailAddress  # the From address
    recipients: tuple[MailAddress, ...]  # one address, or a list of them
    subject: Line = DEFAULT_SUBJECT
    timeout_seconds: Annotated[Seconds, Field(ge=0.1, le=600)] = 30.0
    retries: Annotated[Count, Field(ge=0, le=20)] = 3  # tries again after a transient failure
    retry_backoff_seconds: Annotated[Seconds, Field(ge=0, le=3600)] = 5.0  # before the first retry; doubles

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @model_validator(mode="before")
    @classmethod
    def _default_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and "port" not in data:
            return {**data, "port": DEFAULT_PORTS.get(data.get("security", "starttls"), 25)}
        return data

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str) -> str:
        if any(c.isspace() for c in value) or "/" in value:
            raise ValueError(f"expected a host name such as 'smtp.example.org', got {value!r}")
        return value

    @field_validator("password_env")
    @classmethod
    def _check_env_name(cls, value: str | None) -> str | None:
        if value is not None and not _ENV_NAME.match(value):
            raise ValueError(f"expected an environment variable name such as SMTP_PASSWORD, got {value!r}")
        return value

    @field_validator("recipients", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list | tuple):
            raise ValueError(f"expected a list of addresses, got {type(value).__name__}")
        if not value:
            raise ValueError("expected at least one address, got an empty list")
        return value

    @field_validator("recipients")
    @classmethod
    def _check_twice(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        for i, item in enumerate(value):
            spec = parseaddr(item)[1].lower()
            if spec in seen:
                raise _KeyProblem((i,), f"{item!r} is listed twice")
            seen.add(spec)
        return value

    @field_validator("subject")
    @classmethod
    def _check_subject(cls, value: str) -> str:
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
        except ValueError as exc:
            raise ValueError(f"malformed template ({exc}); write {{{{ and }}}} for braces") from None
        for name in fields:
            if name not in SUBJECT_FIELDS:
                allowed = ", ".join("{" + f + "}" for f in SUBJECT_FIELDS)
                raise ValueError(f"unknown placeholder {{{name}}}; expected {allowed}")
        return value

    @model_validator(mode="after")
    def _check_login(self) -> EmailSettings:
        login, env, block = self.username, self.password_env, self.password_block
        if env is not None and block is not None:
            raise _KeyProblem(("password_block",), "set password_env or password_block, not both")
        if login is not None and env is None and block is None:
            raise _KeyProblem(("password_env",), "username is set, so password_env or password_block is required")
        if login is None and (env is not None or block is not None):
            key = "email.password_env" if env is not None else "email.password_block"
            raise _KeyProblem(("username",), f"{key} is set, so username is required too")
        if login is not None and self.security == "none" and self.host.lower() not in _LOOPBACK:
            raise _KeyProblem(
                ("security",),
                "a login over an unencrypted connection sends the password in clear; use 'starttls' or 'ssl'",
            )
        return self


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
    # None when there is no [email] table: no mail is sent.
    email: EmailSettings | None = None
    # Validated even when absent: each takes a value from a section above (fields are checked in this order).
    fulltext: FulltextSettings = Field(default=FulltextSettings(), validate_default=True)
    search: SearchSettings = SearchSettings()
    schedule: ScheduleSettings = Field(default=ScheduleSettings(), validate_default=True)

    @field_validator("fulltext", mode="before")
    @classmethod
    def _pages_follow_fetch(cls, value: Any, info: ValidationInfo) -> Any:
        """Article pages obey [fetch] allow_networks like feeds do."""
        fetch = info.data.get("fetch")
        return _with(value, FulltextSettings, "allow_networks", fetch.allow_networks if fetch else ())

    @field_validator("schedule", mode="before")
    @classmethod
    def _schedule_in_digest_zone(cls, value: Any, info: ValidationInfo) -> Any:
        """Schedules run in [digest].timezone, so "07:00" is the reader's morning."""
        digest = info.data.get("digest")
        return _with(value, ScheduleSettings, "timezone", digest.timezone if digest else "UTC")

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


def _with(value: Any, model: type[BaseModel], key: str, derived: Any) -> Any:
    """A section's table (or model) with `key` set to a value derived from another section."""
    table = value.model_dump(exclude={key}) if isinstance(value, model) else value
    return {**table, key: derived} if isinstance(table, dict) else value


# Keys a file may not set, and what to do instead: a secret, or a value another section gives.
_NOT_IN_FILE: dict[tuple[str, str], str] = {
    ("email", "password"): "never put the password in the TOML; set password_env to the name of an environment"
    " variable (or password_block to a Prefect Secret block)",
    ("schedule", "timezone"): "unknown key; schedules run in [digest].timezone, set it there",
    ("fulltext", "allow_networks"): "unknown key; set [fetch] allow_networks, which article pages follow too",
}
# The top-level fields that are not sections of the file.
_NOT_SECTIONS = ("path", "root")


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
    sections = [k for k in Settings.model_fields if k not in _NOT_SECTIONS]
    unknown = sorted(set(data) - set(sections))
    if unknown:
        raise ConfigError(path, unknown[0], f"unknown key; expected one of: {', '.join(sections)}")
    for (section, key), problem in _NOT_IN_FILE.items():
        table = data.get(section)
        if isinstance(table, dict) and key in table:
            raise ConfigError(path, f"{section}.{key}", problem)
    try:
        settings = Settings(path=path, root=project_root(path), **data)
    except ValidationError as exc:
        raise _config_error(exc.errors()[0], data, path) from None
    for kind, names in (("feed", [f.name for f in settings.feeds]), ("topic", [t.name for t in settings.topics])):
        # Unique as a reader tells them apart: "India-Pakistan" and "india-pakistan" are one name twice.
        keys = [unicodedata.normalize("NFKC", n).casefold() for n in names]
        twice = next((n for n, k in zip(names, keys, strict=True) if keys.count(k) > 1), None)
        if twice is not None:
            raise ConfigError(path, f"{kind}s", f"{kind} names must be unique (ignoring case); {twice!r} appears "
                                                f"twice")
    for i, topic in enumerate(settings.topics):
        for j, seed in enumerate(topic.seeds):
            found = settings.resolve(seed)
            key = f"topics[{i}] ({topic.name!r}).seeds[{j}]"
            try:
                is_file, is_dir = found.is_file(), found.is_dir()
            except OSError as exc:  # a folder on the way the run may not enter: is_file raises for that
                raise ConfigError(path, key, f"cannot reach {found}: {exc.strerror or exc}") from None
            if not is_file:
                raise ConfigError(path, key, f"{'a folder, not a file' if is_dir else 'no such file'}: {found}")
    for i, topic in enumerate(settings.topics):
        for kind in ("any", "all", "none"):
            for j, rule in enumerate(getattr(topic, kind)):
                # Read when a config is checked, not at import: the matcher's module imports this one.
                from newswatch.analysis.topics import check_rule

                try:
                    check_rule(rule)
                except ValueError as exc:
                    raise ConfigError(path, f"topics[{i}] ({topic.name!r}).{kind}[{j}]", str(exc)) from None
    if _same_file(settings.client_copy_path, settings.database_path):
        raise ConfigError(path, "storage.client_copy", f"names the database itself ({settings.database_path}): the "
                                                       "read copy for SQL clients must be another file")
    return settings


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
}
_TABLE_TYPES = ("model_type", "model_attributes_type", "dict_type")
_BOUND_TYPES = ("greater_than", "greater_than_equal", "less_than", "less_than_equal")


def _config_error(err: Any, data: dict[str, Any], path: Path) -> ConfigError:
    """One pydantic error as a ConfigError naming the file, the key and what was expected."""
    loc = tuple(err["loc"])
    ctx = err.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, _KeyProblem):  # a check on a whole table that blames one of its keys
        loc += cause.loc
    key = _format_loc(loc, data)
    kind, given = err["type"], err.get("input")
    field, _ = _walk(loc)
    if kind == "extra_forbidden":
        _, model = _walk(loc[:-1])
        known = [k for k in (model.model_fields if model else ()) if (str(loc[0]), k) not in _NOT_IN_FILE]
        return ConfigError(path, key, "unknown key" + (f"; expected one of: {', '.join(known)}" if known else ""))
    if kind == "missing":
        wanted = f"; expected {field.description}" if field is not None and field.description else ""
        return ConfigError(path, key, f"required key is missing{wanted}")
    if kind in _EXPECTED:
        return ConfigError(path, key, f"expected {_EXPECTED[kind]}, got {given!r}")
    if kind in _TABLE_TYPES:
        return ConfigError(path, key, f"expected a table [{key}], got {type(given).__name__}")
    if kind == "literal_error":
        return ConfigError(path, key, f"expected one of {ctx.get('expected')}, got {given!r}")
    if kind in _BOUND_TYPES and field is not None:
        return ConfigError(path, key, f"{_bounds(field)}, got {given!r}")
    if kind == "string_pattern_mismatch" and field is not None and field.description:
        return ConfigError(path, key, f"expected {field.description}, got {given!r}")
    problem = err["msg"].removeprefix("Value error, ")
    if kind != "value_error" and not isinstance(given, dict | list):
        problem += f" (got {given!r})"
    return ConfigError(path, key, problem)


def _walk(loc: tuple[Any, ...]) -> tuple[FieldInfo | None, type[BaseModel] | None]:
    """The field at `loc` in Settings (list indexes skipped) and the model its value is, if any."""
    field: FieldInfo | None = None
    model: type[BaseModel] | None = Settings
    for item in loc:
        if isinstance(item, int):
            continue
        if model is None or item not in model.model_fields:
            return None, None
        field = model.model_fields[item]
        model = _model_in(field.annotation)
    return field, model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _bounds(field: FieldInfo) -> str:
    """ "expected a value from 1 to 65535", "must be at least 0"... from the field's limits."""
    limits = {name: getattr(m, name) for m in field.metadata for name in ("ge", "gt", "le", "lt") if hasattr(m, name)}
    if "ge" in limits and "le" in limits:
        return f"expected a value from {limits['ge']:g} to {limits['le']:g}"
    words = {"ge": "at least", "gt": "more than", "le": "at most", "lt": "less than"}
    return "must be " + " and ".join(f"{words[name]} {value:g}" for name, value in limits.items())


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
