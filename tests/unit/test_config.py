"""Config is checked at the edge: each mistake names the file, the key and what was expected."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from newswatch.config import load_settings, parse_settings, project_root
from newswatch.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
PATH = Path("/srv/newswatch/config/newswatch.toml")


@pytest.mark.parametrize(
    ("data", "key", "expected"),
    [
        ({"feeds": [{"name": "wire"}]}, "feeds[0] ('wire').url", "required"),
        ({"feeds": [{"name": "wire", "url": "ftp://x"}]}, "feeds[0] ('wire').url", "http(s) URL"),
        ({"feeds": [{"name": "wire", "url": "http://x", "colour": "red"}]}, "feeds[0] ('wire').colour", "unknown key"),
        ({"feeds": [{"name": "a", "url": "http://x"}, {"name": "a", "url": "http://y"}]}, "feeds", "unique"),
        # Names a reader could not tell apart, or not see: all were accepted and made digests with them.
        ({"topics": [{"name": "India-Pakistan", "any": ["x"]}, {"name": "india-pakistan ", "any": ["y"]}]},
         "topics", "unique (ignoring case)"),
        ({"topics": [{"name": "   ", "any": ["x"]}]}, "topics[0] ('   ').name", "must not be empty"),
        ({"topics": [{"name": "a\nb", "any": ["x"]}]}, "topics[0] ('a\\nb').name", "line break"),
        ({"topics": [{"name": "india\u200b-pakistan", "any": ["x"]}]}, "topics[0] ('india\\u200b-pakistan').name",
         "invisible"),
        ({"feeds": [{"name": "wire", "url": " "}]}, "feeds[0] ('wire').url", "must not be empty"),
        # A seed file that is not there was found only when a run read it, after Prefect's tracebacks.
        ({"topics": [{"name": "t", "seeds": ["no-such-seed.txt"]}]}, "topics[0] ('t').seeds[0]", "no such file"),
        ({"digest": {"timezone": "Mars/Olympus"}}, "digest.timezone", "IANA time zone"),
        # A folder of zones, not a zone: read as a file it raised IsADirectoryError, a traceback in every command.
        ({"digest": {"timezone": "America"}}, "digest.timezone", "IANA time zone"),
        # Dates the digest's day bounds cannot hold (the same bounds as --date); they crashed the digest.
        ({"digest": {"date": date(1, 1, 1)}}, "digest.date", "between 0002-01-01"),
        ({"digest": {"date": date(9999, 12, 31)}}, "digest.date", "9998-12-31"),
        # Too little memory for DuckDB to record even a migration: every ingest failed with out-of-memory.
        ({"storage": {"ingest_memory_limit": "0KB"}}, "storage.ingest_memory_limit", "at least 64MB"),
        ({"storage": {"ingest_memory_limit": "60MiB"}}, "storage.ingest_memory_limit", "at least 64MB"),
        ({"digest": {"top_actors": "many"}}, "digest.top_actors", "integer"),
        ({"digest": {"date": "yesterday"}}, "digest.date", "date"),
        ({"topics": [{"name": "t", "min_score": 2}]}, "topics[0] ('t').min_score", "from 0 to 1, got 2"),
        ({"topics": [{"any": ["x"]}]}, "topics[0].name", "required"),
        # A keyword rule with nothing to match (a trailing "|", a bare "*", an empty string) passed every check
        # (`newswatch info` said nothing) and then failed every ingest and rematch with a ValueError traceback.
        ({"topics": [{"name": "t", "any": ["satellite* |"]}]}, "topics[0] ('t').any[0]", "no letters or digits"),
        ({"topics": [{"name": "t", "any": ["moon"], "all": ["x", "*"]}]}, "topics[0] ('t').all[1]",
         "no letters or digits"),
        ({"topics": [{"name": "t", "any": ["moon"], "none": [""]}]}, "topics[0] ('t').none[0]",
         "no letters or digits"),
        ({"storage": {"databse": "x.duckdb"}}, "storage.databse", "unknown key"),
        ({"inbox": "samples"}, "inbox", "expected a table [inbox], got str"),
        ({"runner": {"task_runner": "ray"}}, "runner.task_runner", "thread"),
        ({"feedz": []}, "feedz", "unknown key"),
        # Sections no code reads are mistakes too, not silently accepted.
        ({"language": {"detect": True}}, "language", "unknown key"),
        ({"clients": {"copy": "x"}}, "clients", "unknown key"),
    ],
)
def test_mistakes_name_file_key_and_expectation(data: dict, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings(data, PATH)
    message = str(exc.value)
    assert message.startswith(f"{PATH}: {key}: "), message
    assert expected in message


def test_malformed_toml_and_non_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "a.toml"
    bad.write_text('[[feeds]]\nname = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="malformed TOML"):
        load_settings(bad)
    bad.write_bytes(b'name = "\xff"\n')
    with pytest.raises(ConfigError, match="UTF-8"):
        load_settings(bad)


def test_config_chosen_by_argument_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / "env.toml"
    env_file.write_text('[digest]\ntimezone = "Asia/Kolkata"\n', encoding="utf-8")
    monkeypatch.setenv("NEWSWATCH_CONFIG", str(env_file))
    assert load_settings().digest.timezone == "Asia/Kolkata"
    arg_file = tmp_path / "arg.toml"
    arg_file.write_text("", encoding="utf-8")
    assert load_settings(arg_file).digest.timezone == "UTC"


def test_relative_paths_resolve_against_the_project_folder() -> None:
    settings = parse_settings({}, PATH)
    assert project_root(PATH) == Path("/srv/newswatch")
    assert settings.database_path == Path("/srv/newswatch/data/newswatch.duckdb")
    assert settings.client_copy_path == Path("/srv/newswatch/data/newswatch-read.duckdb")
    assert parse_settings({}, Path("/etc/nw.toml")).database_path == Path("/etc/data/newswatch.duckdb")


def test_the_shipped_config_loads() -> None:
    settings = load_settings(REPO / "config" / "newswatch.toml")
    assert len(settings.feeds) >= 4 and {t.name for t in settings.topics} >= {"india-pakistan"}
    for feed in settings.feeds:
        assert settings.resolve(Path(feed.url)).exists()


def test_the_optional_sections_are_typed_settings(tmp_path: Path) -> None:
    from newswatch.config import EmailSettings, FulltextSettings, ScheduleSettings, SearchSettings

    plain = parse_settings({}, PATH)
    assert plain.email is None and plain.search.enabled is False and plain.fulltext.enabled is True
    assert isinstance(plain.schedule, ScheduleSettings) and plain.schedule.timezone == "UTC"
    full = parse_settings({"email": {"host": "smtp.example.org", "sender": "a@example.org",
                                     "recipients": ["b@example.org"]},
                           "fulltext": {"enabled": False}, "search": {"enabled": True}}, PATH)
    assert isinstance(full.email, EmailSettings) and full.email.recipients == ("b@example.org",)
    assert isinstance(full.fulltext, FulltextSettings) and full.fulltext.enabled is False
    assert isinstance(full.search, SearchSettings) and full.search.enabled is True


EMAIL = '[email]\nhost = "smtp.example.org"\nsender = "a@example.org"\nrecipients = ["b@example.org"]\n'


@pytest.mark.parametrize(
    ("toml", "key", "expected"),
    [
        (EMAIL + 'hots = "smtp.example.org"\n', "email.hots", "unknown key; expected one of: host, port, security"),
        ("[fulltext]\nmin_char = 300\n", "fulltext.min_char", "unknown key; expected one of: enabled, min_chars"),
        ('[search]\nprovider = ["gdelt"]\n', "search.provider", "unknown key; expected one of: enabled, providers"),
        # ...and the keys a section takes from another one are not offered.
        ('[schedule]\ndigest_cron = "0 7 * * *"\n', "schedule.digest_cron",
         "unknown key; expected one of: ingest_cron, digest_time$"),
        ("[fulltext]\nbudget = 3\n", "fulltext.budget", "max_bytes, respect_robots, user_agent$"),
        ('[sceduel]\ndigest_time = "07:00"\n', "sceduel", "unknown key; expected one of: storage, feeds, inbox"),
        # Those keys say where they belong.
        ('[fulltext]\nallow_networks = ["10.0.0.0/8"]\n', "fulltext.allow_networks", "set [fetch] allow_networks"),
        ('[schedule]\ntimezone = "UTC"\n', "schedule.timezone", "set it there"),
    ],
)
def test_a_misspelt_key_or_section_names_the_file_and_key(tmp_path: Path, toml: str, key: str,
                                                            expected: str) -> None:
    config = tmp_path / "newswatch.toml"
    config.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_settings(config)
    assert (exc.value.path, exc.value.key) == (str(config), key)
    assert str(exc.value).startswith(f"{config}: {key}: "), str(exc.value)
    assert expected in exc.value.problem + "$"  # "$" marks the end of the message


@pytest.mark.parametrize(
    ("data", "key", "expected"),
    [
        # The sections checked by pydantic are strict: TOML text is not a number, nor a number true or false.
        ({"fulltext": {"min_chars": "600"}}, "fulltext.min_chars", "expected an integer, got '600'"),
        ({"fulltext": {"respect_robots": 1}}, "fulltext.respect_robots", "expected true or false, got 1"),
        ({"fulltext": {"per_domain_concurrency": 0}}, "fulltext.per_domain_concurrency", "must be at least 1, got 0"),
        ({"search": {"enabled": "yes"}}, "search.enabled", "expected true or false, got 'yes'"),
        ({"search": {"base_urls": {"altavista": "http://x"}}}, "search.base_urls.altavista", "unknown search provider"),
        ({"schedule": {"digest_time": 7}}, "schedule.digest_time", '"HH:MM"'),
        ({"email": ["smtp.example.org"]}, "email", "expected a table [email], got list"),
        ({"fetch": {"timeout_seconds": 0}}, "fetch.timeout_seconds", "must be more than 0 and at most 600, got 0"),
    ],
)
def test_values_in_every_section_are_checked_alike(data: dict, key: str, expected: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_settings(data, PATH)
    assert str(exc.value) == f"{PATH}: {key}: {exc.value.problem}" and expected in exc.value.problem, str(exc.value)


def test_sections_take_what_they_share_from_the_section_that_owns_it() -> None:
    settings = parse_settings({"fetch": {"allow_networks": ["10.0.0.0/8"]}, "digest": {"timezone": "Asia/Kolkata"},
                               "fulltext": {"min_chars": 300}}, PATH)
    assert [str(n) for n in settings.fulltext.allow_networks] == ["10.0.0.0/8"]  # pages obey [fetch] too
    assert settings.schedule.timezone == "Asia/Kolkata"  # schedules run in [digest].timezone
    assert parse_settings({"digest": {"timezone": "Asia/Kolkata"}}, PATH).schedule.timezone == "Asia/Kolkata"


def test_ingest_memory_limit_is_checked(tmp_path: Path) -> None:
    good = tmp_path / "good.toml"
    good.write_text('[storage]\ningest_memory_limit = "2GB"\n', encoding="utf-8")
    assert load_settings(good).storage.ingest_memory_limit == "2GB"
    bad = tmp_path / "bad.toml"
    bad.write_text('[storage]\ningest_memory_limit = "lots"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="ingest_memory_limit") as raised:
        load_settings(bad)
    # what is wanted in words, not the pattern behind the check
    assert "expected a size such as '512MB'" in str(raised.value) and "got 'lots'" in str(raised.value)
    assert "^(" not in str(raised.value)


def test_client_copy_interval_is_whole_minutes_and_not_negative(tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    assert load_settings(empty).storage.client_copy_interval_minutes == 0  # every ingest publishes
    good = tmp_path / "good.toml"
    good.write_text("[storage]\nclient_copy_interval_minutes = 120\n", encoding="utf-8")
    assert load_settings(good).storage.client_copy_interval_minutes == 120
    for value in ("-5", '"2h"', "1.5"):
        bad = tmp_path / "bad.toml"
        bad.write_text(f"[storage]\nclient_copy_interval_minutes = {value}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="client_copy_interval_minutes"):
            load_settings(bad)


def test_the_read_copy_cannot_be_the_database_itself(tmp_path: Path) -> None:
    """Publishing over the working file would make it read-only and give up DuckDB's lock on it (a review)."""
    for copy in ('"data/newswatch.duckdb"', '"data/../data/newswatch.duckdb"'):
        config = tmp_path / "newswatch.toml"
        config.write_text(f'[storage]\ndatabase = "data/newswatch.duckdb"\nclient_copy = {copy}\n', encoding="utf-8")
        with pytest.raises(ConfigError, match="client_copy.*the database itself"):
            load_settings(config)


def test_a_copy_is_recent_only_within_the_interval_and_never_from_the_future(tmp_path: Path) -> None:
    import os

    from storage.db import copy_is_recent

    copy = tmp_path / "read.duckdb"
    assert not copy_is_recent(copy, 60)  # no copy yet: publish
    copy.write_bytes(b"x")
    os.utime(copy, (1_000_000.0, 1_000_000.0))
    assert copy_is_recent(copy, 60, now=1_000_000.0 + 59 * 60)
    assert not copy_is_recent(copy, 60, now=1_000_000.0 + 60 * 60)  # exactly the interval: due
    assert not copy_is_recent(copy, 0, now=1_000_000.0 + 1)  # 0: every run publishes
    assert not copy_is_recent(copy, 60, now=1_000_000.0 - 5)  # stamped in the future (a clock change): due


def test_a_seed_that_is_a_folder_or_unreadable_names_its_topic(tmp_path: Path) -> None:
    """A seed path naming a folder was reported as "no such file"; a seed file that exists but holds no article
    (empty) failed at run time under the key `topics.seeds`, without saying which topic's seed it was."""
    from newswatch.analysis.analyzer import Analyzer

    (tmp_path / "seeds").mkdir()
    actors = str(Path(__file__).resolve().parents[2] / "config" / "actors.toml")
    with pytest.raises(ConfigError, match=r"topics\[0\] \('t'\)\.seeds\[0\]: a folder, not a file"):
        parse_settings({"actors_file": actors, "topics": [{"name": "t", "seeds": [str(tmp_path / "seeds")]}]},
                       tmp_path / "a.toml")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    settings = parse_settings({"actors_file": actors, "topics": [
        {"name": "other", "any": ["x"]}, {"name": "t", "seeds": [str(tmp_path / "empty.txt")]}]}, tmp_path / "b.toml")
    with pytest.raises(ConfigError, match=r"topics\[1\] \('t'\)\.seeds\[0\]: cannot read a seed file: .*empty"):
        Analyzer.from_settings(settings)


def test_a_seed_in_a_folder_the_run_cannot_enter_is_a_config_error(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A seed under a folder the run may not enter (permissions; the seeds usually sit in the inbox): checking it
    raised PermissionError from `Path.is_file`, a traceback instead of the config error naming the topic's seed.
    Mocked: root enters any folder."""
    (tmp_path / "locked").mkdir()
    seed = tmp_path / "locked" / "seed.txt"
    seed.write_text("Headline\nBody.\n", encoding="utf-8")
    real_stat = Path.stat

    def refuse(self: Path, *args: object, **kwargs: object) -> object:
        if self.parent.name == "locked":
            raise PermissionError(13, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "stat", refuse)
    with pytest.raises(ConfigError, match=r"topics\[0\] \('t'\)\.seeds\[0\]: cannot reach .*Permission denied"):
        parse_settings({"topics": [{"name": "t", "seeds": [str(seed)]}]}, tmp_path / "a.toml")


def test_running_out_of_memory_while_reading_a_seed_is_not_a_config_error(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Under `ulimit -v 1000000` a review's ingest ended `config error: ...seeds[0]: cannot read a seed file: ` (exit
    2, nothing after the colon): importing the HTML reader ran out of memory, and the seed's catch-all made that a
    config mistake. Only what the file holds is the config's problem; a MemoryError stays one."""
    from newswatch.analysis import analyzer
    from newswatch.sources import inbox

    seed = tmp_path / "seed.txt"
    seed.write_text("Headline\nBody.\n", encoding="utf-8")
    settings = parse_settings({"topics": [{"name": "t", "seeds": [str(seed)]}]}, tmp_path / "a.toml")

    def out_of_memory(path: Path, outlet: str) -> object:
        raise MemoryError

    monkeypatch.setattr(inbox, "read_inbox_file", out_of_memory)
    with pytest.raises(MemoryError):
        analyzer.read_seed(seed, settings)
