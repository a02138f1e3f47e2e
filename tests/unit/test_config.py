"""Config is checked at the edge: each mistake names the file, the key and what was expected."""

from __future__ import annotations

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
        ({"digest": {"timezone": "Mars/Olympus"}}, "digest.timezone", "IANA time zone"),
        ({"digest": {"top_actors": "many"}}, "digest.top_actors", "integer"),
        ({"digest": {"date": "yesterday"}}, "digest.date", "date"),
        ({"topics": [{"name": "t", "min_score": 2}]}, "topics[0] ('t').min_score", "less than or equal"),
        ({"topics": [{"any": ["x"]}]}, "topics[0].name", "required"),
        ({"storage": {"databse": "x.duckdb"}}, "storage.databse", "unknown key"),
        ({"inbox": "samples"}, "inbox", "valid dictionary"),
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
    from newswatch.report.mail import EmailSettings
    from newswatch.schedule import ScheduleSettings
    from newswatch.sources.pages import FulltextSettings
    from newswatch.sources.search import SearchSettings

    plain = parse_settings({}, PATH)
    assert plain.email is None and plain.search.enabled is False and plain.fulltext.enabled is True
    assert isinstance(plain.schedule, ScheduleSettings) and plain.schedule.timezone == "UTC"
    full = parse_settings({"email": {"host": "smtp.example.org", "sender": "a@example.org",
                                     "recipients": ["b@example.org"]},
                           "fulltext": {"enabled": False}, "search": {"enabled": True}}, PATH)
    assert isinstance(full.email, EmailSettings) and full.email.recipients == ("b@example.org",)
    assert isinstance(full.fulltext, FulltextSettings) and full.fulltext.enabled is False
    assert isinstance(full.search, SearchSettings) and full.search.enabled is True
