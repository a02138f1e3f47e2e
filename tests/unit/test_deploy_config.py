"""Deployment settings: a bad [email] or [schedule] fails at load time, the sample blocks parse, prefect.yaml
deploys the schedules of the config, and the CLI offers serve and the mail flags."""

from __future__ import annotations

import re
import shutil
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


def _deployed_schedules(project: Path) -> dict[str, list[dict]]:  # type: ignore[type-arg]
    """Each deployment's schedules as `prefect deploy` registers them from `project`: prefect.yaml's build steps run
    by Prefect's own step runner in that folder, their outputs templated into the schedules as deploy does."""
    import anyio
    from prefect.deployments.steps.core import run_steps
    from prefect.utilities.templating import apply_values

    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    outputs = anyio.run(run_steps, spec["build"] or [], {})
    return {d["name"]: apply_values(d["schedules"], outputs) for d in spec["deployments"]}


def test_prefect_yaml_deploys_the_schedules_of_the_config_it_is_deployed_with(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team that edits [schedule] or [digest].timezone and deploys again gets the edited schedules, as serve does
    (the schedules were literals in prefect.yaml: an edited config was deployed with the repository's defaults)."""
    project = tmp_path / "project"
    for name in ("config", "samples"):  # the config's seeds are in samples/
        shutil.copytree(REPO / name, project / name)
    config = project / "config" / "newswatch.toml"
    text = config.read_text(encoding="utf-8").replace('timezone = "Asia/Kolkata"', 'timezone = "Europe/Berlin"')
    config.write_text(text + '\n[schedule]\ningest_cron = "*/5 * * * *"\ndigest_time = "06:15"\n', encoding="utf-8")
    monkeypatch.chdir(project)
    assert _deployed_schedules(project) == {
        "newswatch-ingest": [{"cron": "*/5 * * * *", "timezone": "Europe/Berlin", "active": True}],
        "newswatch-digest": [{"cron": "15 6 * * *", "timezone": "Europe/Berlin", "active": True}],
    }
    # $NEWSWATCH_CONFIG in the deploying shell names the config, as it does for the runs.
    monkeypatch.setenv("NEWSWATCH_CONFIG", str(REPO / "config" / "newswatch.toml"))
    assert _deployed_schedules(project)["newswatch-ingest"] == [
        {"cron": "*/30 * * * *", "timezone": "Asia/Kolkata", "active": True}
    ]


def test_prefect_yaml_declares_both_deployments_with_the_repository_config() -> None:
    from newswatch.schedule import deployment_schedules

    settings = load_settings(REPO / "config" / "newswatch.toml")
    when = settings.schedule
    spec = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    by_name = {d["name"]: d for d in spec["deployments"]}
    assert set(by_name) == {"newswatch-ingest", "newswatch-digest"}
    assert deployment_schedules(str(REPO / "config" / "newswatch.toml")) == {
        "ingest_cron": when.ingest_cron, "digest_cron": digest_cron(when), "timezone": when.timezone
    }
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
