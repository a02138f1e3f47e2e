"""The digest's send step killed (SIGKILL) between two recipients, in a subprocess, against a real aiosmtpd server
on 127.0.0.1: the rerun mails nobody twice and everybody once."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from newswatch.report import delivery
from storage.db import Database
from storage.store import Store
from tests.support.coverage_data import write_settings
from tests.support.sampledigest import sample_digest
from tests.support.smtpserver import SmtpServer, smtp_server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
ALICE = "alice@example.org"
BOB = "bob@example.org"
DAY = sample_digest().digest_date

# The flow's own send task (flows/digest.py), run without the engine: the store it opens and the journal it writes
# are the ones the digest flow uses.
SEND = textwrap.dedent("""
    import sys
    from datetime import date

    from flows.digest import email_settings, send
    from newswatch.config import load_settings

    settings = load_settings(sys.argv[1])
    result = send.fn(settings, email_settings(settings), date.fromisoformat(sys.argv[2]), False, 0)
    print("sent", sorted(o.recipient for o in result.sent), flush=True)
""")


def mailed_settings(root: Path, port: int) -> Path:
    settings = write_settings(root)
    with settings.path.open("a", encoding="utf-8") as fh:
        fh.write(f"""
[email]
host = "127.0.0.1"
port = {port}
security = "none"
sender = "newswatch (sample) <digest@example.org>"
recipients = ["{ALICE}", "{BOB}"]
timeout_seconds = 10
retries = 0
""")
    with Database(settings.database_path) as db:
        Store(db).save_digest(dataclasses.replace(sample_digest(), digest_date=DAY), "UTC", {}, None, None)
    return settings.path


def run_send(config: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-c", SEND, str(config), DAY.isoformat()], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_when_held(run: subprocess.Popen[str], server: SmtpServer,
                   then: Callable[[], None] = lambda: None) -> None:
    """SIGKILL the run once the server has stopped it at the chosen point (no sleeps: an event from the server),
    after `then` (waiting for the run to reach a later point)."""
    try:
        assert server.handler.held.wait(120), "the run never reached the server's hold"
        then()
        run.send_signal(signal.SIGKILL)
        run.wait(30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()


def test_a_run_killed_between_two_recipients_mails_nobody_twice(tmp_path: Path) -> None:
    with smtp_server(hold={BOB}) as server:
        config = mailed_settings(tmp_path, server.port)
        kill_when_held(run_send(config), server)  # Bob's RCPT comes only after Alice's message was accepted
        assert [r.rcpt_tos for r in server.received] == [[ALICE]]

        server.handler.hold.clear()
        second = run_send(config)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
    assert sorted(r.rcpt_tos[0] for r in server.received) == [ALICE, BOB]  # each exactly once
    assert f"sent ['{BOB}']" in out
    db_path = config.parents[1] / "data" / "newswatch.duckdb"
    with Database(db_path, read_only=True) as db:
        assert dict(db.query("SELECT recipient, status FROM delivery")) == {ALICE: "sent", BOB: "sent"}
    assert not delivery.journal_path(db_path).exists()


def test_a_run_killed_while_the_server_receives_the_message_does_not_send_it_again(tmp_path: Path) -> None:
    """Between handing the message over and the server's answer nobody can know whether it arrived: the
    recipient is recorded as 'unknown' and not mailed again without --resend (at most once)."""
    with smtp_server() as server:
        config = mailed_settings(tmp_path, server.port)
        original = server.handler.handle_DATA

        async def stop_at_data(*args: object) -> str:
            # The server keeps the message, and the process is killed before it hears the server's answer.
            answer = await original(*args)  # type: ignore[arg-type]
            server.handler.held.set()
            await asyncio.get_running_loop().run_in_executor(None, server.handler.release.wait, 120)
            return answer

        server.handler.handle_DATA = stop_at_data  # type: ignore[method-assign]
        kill_when_held(run_send(config), server)
        server.handler.handle_DATA = original  # type: ignore[method-assign]
        server.handler.release.set()
        second = run_send(config)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
    # Alice's message from the killed run arrived; sending it again would have made two.
    assert sorted(r.rcpt_tos[0] for r in server.received) == [ALICE, BOB]
    db_path = config.parents[1] / "data" / "newswatch.duckdb"
    with Database(db_path, read_only=True) as db:
        states = dict(db.query("SELECT recipient, status FROM delivery"))
    assert states == {ALICE: "unknown", BOB: "sent"}


def test_a_run_killed_while_waiting_to_retry_a_refused_message_sends_it_next_time(tmp_path: Path) -> None:
    """The server answered 451 after the message (it did not keep it), and the run was killed while it waited to
    try again. The message certainly did not arrive, so the next run must send it: before, the last word in the
    journal was the 'unknown' written before the message went out, and the recipient was never mailed."""
    import time

    with smtp_server() as server:
        config = mailed_settings(tmp_path, server.port)
        config.write_text(config.read_text(encoding="utf-8").replace(
            "retries = 0", "retries = 1\nretry_backoff_seconds = 60"), encoding="utf-8")
        original = server.handler.handle_DATA

        async def refuse(*args: object) -> str:
            server.handler.held.set()
            return "451 4.3.0 try again later (SAMPLE)"

        server.handler.handle_DATA = refuse  # type: ignore[method-assign]
        journal = delivery.journal_path(config.parents[1] / "data" / "newswatch.duckdb")

        def refusal_recorded() -> None:  # then the run waits 60 s to retry
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and '"status": "failed"' not in (
                    journal.read_text(encoding="utf-8") if journal.exists() else ""):
                time.sleep(0.05)

        kill_when_held(run_send(config), server, refusal_recorded)
        assert server.received == []
        server.handler.handle_DATA = original  # type: ignore[method-assign]
        second = run_send(config)
        out, err = second.communicate(timeout=120)
        assert second.returncode == 0, err
    assert sorted(r.rcpt_tos[0] for r in server.received) == [ALICE, BOB]
    with Database(config.parents[1] / "data" / "newswatch.duckdb", read_only=True) as db:
        assert dict(db.query("SELECT recipient, status FROM delivery")) == {ALICE: "sent", BOB: "sent"}
