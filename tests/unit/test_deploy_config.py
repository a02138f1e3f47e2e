"""Deployment settings: a bad [email] or [schedule] fails at load time, the sample blocks parse, prefect.yaml
declares the same schedules as the config, and the CLI offers serve and the mail flags."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from newswatch import cli
from newswatch.config import load_settings, parse_settings
from newswatch.errors import ConfigError
from newswatch.schedule import digest_cron

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("extra", "key"),
    [
        (
            {
                "email": {
                    "host": "smtp.example.org",
                    "sender": "a@example.org",
                    "recipients": ["b@example.org"],
                    "security": "tls",
                }
            },
            "email.security",
        ),
        ({"email": {"host": "smtp.example.org", "password": "hunter2"}}, "email.password"),
        ({"schedule": {"ingest_cron": "61 * * * *"}}, "schedule.ingest_cron"),
        ({"schedule": {"digest_time": "7am"}}, "schedule.digest_time"),
    ],
)
def test_a_bad_email_or_schedule_table_fails_when_the_config_is_loaded(extra: dict, key: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ConfigError) as err:
        parse_settings(extra, Path("config/newswatch.toml"))
    assert err.value.key == key


def _uncommented_blocks() -> dict:  # type: ignore[type-arg]
    text = (REPO / "config" / "newswatch.toml").read_text(encoding="utf-8")
    lines = [
        m.group(1) for m in re.finditer(r"^# ?((?:\[(?:email|schedule|search|fulltext)\]|[a-z_]+ = ).*)$", text, re.MULTILINE)
    ]
    return tomllib.loads("\n".join(lines))


def test_the_commented_sample_blocks_are_valid_when_uncommented() -> None:
    data = _uncommented_blocks()
    assert set(data) == {"email", "schedule", "search"}  # [fulltext] is a real table there (enabled = false)
    settings = parse_settings({**data, "digest": {"timezone": "Asia/Kolkata"}}, Path("config/newswatch.toml"))
    assert settings.email is not None and settings.email.host == "smtp.example.org"
    assert settings.schedule.timezone == "Asia/Kolkata" and settings.search.enabled


def test_the_default_config_sends_no_mail() -> None:
    settings = load_settings(REPO / "config" / "newswatch.toml")
    assert settings.email is None


def test_prefect_yaml_declares_the_configured_schedules() -> None:
    settings = load_settings(REPO / "config" / "newswatch.toml")
    when = settings.schedule
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    by_name = {d["name"]: d for d in spec["deployments"]}
    assert set(by_name) == {"newswatch-ingest", "newswatch-digest"}
    assert by_name["newswatch-ingest"]["schedules"] == [
        {"cron": when.ingest_cron, "timezone": when.timezone, "active": True}
    ]
    assert by_name["newswatch-digest"]["schedules"] == [
        {"cron": digest_cron(when), "timezone": when.timezone, "active": True}
    ]
    assert by_name["newswatch-ingest"]["entrypoint"] == "flows/ingest.py:ingest_flow"
    assert by_name["newswatch-digest"]["entrypoint"] == "flows/digest.py:digest_flow"
    for entry in by_name.values():
        path, _, func = entry["entrypoint"].partition(":")
        assert f"def {func}(" in (REPO / path).read_text(encoding="utf-8")
        assert entry["concurrency_limit"]["limit"] == 1


def test_the_cli_offers_serve_and_the_mail_flags() -> None:
    parser = cli.build_parser()
    args = parser.parse_args(["digest", "--date", "2025-05-10", "--no-send"])
    assert args.send is False and args.resend is False
    args = parser.parse_args(["run", "--send", "--resend"])
    assert args.send is True and args.resend is True
    assert parser.parse_args(["digest"]).send is None
    assert parser.parse_args(["serve"]).func is cli.cmd_serve
