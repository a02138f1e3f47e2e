"""The CLI: help for every command, documented in the README; config errors name file and key; exit codes."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from newswatch import cli

REPO = Path(__file__).resolve().parents[2]


def commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return sorted(sub.choices)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", commands())
def test_every_command_has_help_and_is_documented_in_the_readme(command: str,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "--help"])
    assert exc.value.code == 0
    assert len(capsys.readouterr().out) > 80
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"`newswatch {command}\b", readme), f"`newswatch {command}` is not in README.md"


def test_a_bad_config_names_the_file_and_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('[[feeds]]\nname = "x"\n', encoding="utf-8")
    assert cli.main(["--config", str(config), "info"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert str(config) in err and "feeds[0] ('x').url" in err and "required" in err


def test_malformed_toml_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bad.toml"
    config.write_text("[storage\n", encoding="utf-8")
    assert cli.main(["--config", str(config), "info"]) == cli.EXIT_CONFIG
    assert "malformed TOML" in capsys.readouterr().err


def test_missing_config_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--config", str(tmp_path / "nope.toml"), "info"]) == cli.EXIT_CONFIG
    assert "config file not found" in capsys.readouterr().err


def test_info_json_names_the_file_clients_open(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--config", str(project / "config" / "newswatch.toml"), "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["client_database"] == str(project / "data" / "newswatch-read.duckdb")
    assert info["database"] == str(project / "data" / "newswatch.duckdb")
    assert info["client_database_written"] is None and info["client_copy_interval_minutes"] == 0  # no run yet
    copy = project / "data" / "newswatch-read.duckdb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(b"")
    os.utime(copy, (1_750_000_000, 1_750_000_000))
    assert cli.main(["--config", str(project / "config" / "newswatch.toml"), "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["client_database_written"] == "2025-06-15T15:06:40+00:00"


def test_info_loads_the_actors_file_as_a_run_does(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = project / "config" / "newswatch.toml"
    assert cli.main(["--config", str(config), "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["actors_file"] == str(project / "config" / "actors.toml") and info["actors"] > 30
    # A broken actors file would stop the next run: info says so now, naming the file and the key.
    (project / "config" / "actors.toml").write_text('[[actor]]\nid = "x"\nname = "X"\nkind = "planet"\n',
                                                    encoding="utf-8")
    assert cli.main(["--config", str(config), "info"]) == cli.EXIT_CONFIG
    err = capsys.readouterr().err
    assert "actors.toml" in err and "kind" in err


def test_info_reports_how_large_the_database_and_its_copy_have_grown(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A store left running for months grows: `info` says by how much, the write-ahead log counted with the working
    file (an ingest that left its copy for later keeps its writes there), without opening either file."""
    config = str(project / "config" / "newswatch.toml")
    assert cli.main(["--config", config, "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["database_bytes"] is None and info["client_database_bytes"] is None  # nothing stored yet
    data = project / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "newswatch.duckdb").write_bytes(b"x" * 3_000_000)
    (data / "newswatch.duckdb.wal").write_bytes(b"x" * 250_000)
    (data / "newswatch-read.duckdb").write_bytes(b"x" * 2_900)
    assert cli.main(["--config", config, "info", "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert info["database_bytes"] == 3_250_000 and info["client_database_bytes"] == 2_900
    assert cli.main(["--config", config, "info"]) == 0
    text = capsys.readouterr().out
    assert "3.2 MB" in text and "2.9 KB" in text  # for a person, in the plain listing


def test_feeds_without_a_read_copy_says_what_to_do(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--config", str(project / "config" / "newswatch.toml"), "feeds"]) == cli.EXIT_ERROR
    assert "newswatch ingest" in capsys.readouterr().err


def test_promote_adds_an_actor_and_refuses_it_twice(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = str(project / "config" / "newswatch.toml")
    assert cli.main(["--config", config, "actors", "promote", "Mira Castellan", "--kind", "person"]) == 0
    assert "mira-castellan" in (project / "config" / "actors.toml").read_text(encoding="utf-8")
    assert cli.main(["--config", config, "actors", "promote", "Mira Castellan"]) == cli.EXIT_CONFIG
    assert "already" in capsys.readouterr().err


def test_bad_date_argument_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["digest", "--date", "10/05/2025"])
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_config_is_taken_after_the_command_too(project: Path, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    # README: every command takes --config. After the command it wins; before it, it is kept when none follows.
    good = str(project / "config" / "newswatch.toml")
    assert cli.main(["info", "--json", "--config", good]) == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(project / "data" / "newswatch.duckdb")
    assert cli.main(["--config", good, "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["database"] == str(project / "data" / "newswatch.duckdb")
    missing = str(tmp_path / "nope.toml")
    assert cli.main(["--config", good, "info", "--config", missing]) == cli.EXIT_CONFIG
    assert "config file not found" in capsys.readouterr().err


def test_a_reader_that_stops_reading_ends_the_command_quietly() -> None:
    """`newswatch feeds | head -1`: once the reader is gone, the command stops with the SIGPIPE status a shell
    expects (141) and no traceback. The pipe's reading end is closed before the command prints anything."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-m", "newswatch.cli", "--config", str(root / "config" / "newswatch.toml"), "info"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=root,
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()
    err = child.stderr.read().decode()
    assert child.wait(timeout=60) == cli.EXIT_PIPE
    assert "Traceback" not in err and "BrokenPipe" not in err, err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["rescore"], "newswatch rescore: error: say what to rescore: --actors"),
        (["rescore", "--actors", "--from", "2025-05-10", "--to", "2025-05-01"],
         "newswatch rescore: error: --to 2025-05-01 is before --from 2025-05-10"),
        (["backfill", "--from", "2025-05-10", "--to", "2025-05-01"],
         "newswatch backfill: error: --to 2025-05-01 is before --from 2025-05-10"),
        (["backfill", "--from", "1990-01-01", "--to", "2025-05-01"], "newswatch backfill: error: at most 3660 days"),
        (["digest", "--send"], "email: sending was asked for (--send) but there is no [email] table"),
    ],
)
def test_mistaken_arguments_are_usage_errors_before_any_work(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2 with one line naming the command, found before a database is opened or Prefect is started (the
    sample config has no [email]; `config error` only where the config is the cause)."""
    config = str(Path(__file__).resolve().parents[2] / "config" / "newswatch.toml")
    assert cli.main(["--config", config, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and err.count("\n") == 1
    assert ("config error" in err) == (argv[0] == "digest")


@pytest.mark.parametrize("value", ["20250501", "2025-5-1", "0001-01-01", "9999-12-31", "soon"])
def test_dates_are_yyyy_mm_dd_within_bounds(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    # "20250501" is a date to fromisoformat; the two ends of the calendar overflowed a day's local bounds.
    with pytest.raises(SystemExit) as exited:
        cli.main(["rescore", "--actors", "--from", value])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "expected a date" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["rescore", "--actors"], ["rematch"],
                                  ["backfill", "--from", "2025-05-01", "--to", "2025-05-02"]])
def test_commands_on_stored_articles_refuse_a_missing_database(argv: list[str], tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    # A mistyped path made an empty database, and rescore then replaced the clients' copy of the real store with
    # an empty one. Now: a config error, and nothing written.
    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "config", tmp_path / "config")
    shutil.copytree(root / "samples", tmp_path / "samples")  # the seed files the config names
    config = tmp_path / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8")
    assert 'database = "data/newswatch.duckdb"' in text
    config.write_text(text.replace('database = "data/newswatch.duckdb"', 'database = "data/newswatch.duckbd"'),
                      encoding="utf-8")
    assert cli.main(["--config", str(config), *argv]) == 2
    err = capsys.readouterr().err
    assert "no database at" in err and "newswatch.duckbd" in err
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


@pytest.mark.parametrize("days", ["0", "-3", "seven", "99999999999"])  # the last overflowed a C int: a traceback
def test_candidates_want_a_positive_window(days: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["actors", "candidates", "--days", days])
    assert exited.value.code == 2
    assert f"expected a whole number from 1 to 1000000, got '{days}'" in capsys.readouterr().err


def test_promote_takes_its_options_before_or_after_the_name(tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    import shutil

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "config", tmp_path / "config")
    shutil.copytree(root / "samples", tmp_path / "samples")  # the seed files the config names
    config = str(tmp_path / "config" / "newswatch.toml")
    assert cli.main(["--config", config, "actors", "promote", "--kind", "place", "Kestrel Bay Port"]) == 0
    assert cli.main(["actors", "promote", "Kestrel Bay Yard", "--kind", "place", "--config", config]) == 0
    text = (tmp_path / "config" / "actors.toml").read_text(encoding="utf-8")
    assert 'name = "Kestrel Bay Port"' in text and 'name = "Kestrel Bay Yard"' in text
    with pytest.raises(SystemExit) as exited:  # NAME is required: argparse says so, exit 2
        cli.main(["--config", config, "actors", "promote"])
    assert exited.value.code == 2 and "name" in capsys.readouterr().err
