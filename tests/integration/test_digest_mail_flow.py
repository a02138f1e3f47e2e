"""The digest flow on the sample project, mailing a real aiosmtpd server on 127.0.0.1 under Prefect's test server:
stored unsent while the server is down, delivered once when it is up, published as a markdown artifact, and the
real digest's HTML part laid out within 600 px in headless Chromium."""

from __future__ import annotations

import re
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from newswatch.errors import MailError
from storage.db import Database
from tests.support.mailrender import check_mail_layout, find_chromium
from tests.support.smtpserver import Received, free_port, smtp_server

pytestmark = [pytest.mark.flow, pytest.mark.slow]

DAY = date(2025, 5, 10)  # the sample config's pinned digest date
ALICE = "alice@example.org"


def email_table(port: int, retries: str) -> str:
    """The [email] table of these tests: Alice on a loopback server at `port`, with `retries` lines."""
    return (f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\n'
            f'sender = "newswatch (sample) <digest@example.org>"\nrecipients = ["{ALICE}"]\n'
            f"timeout_seconds = 5\n{retries}\n")


@pytest.fixture(scope="module")
def mailed_project(tmp_path_factory: pytest.TempPathFactory, prefect_engine: None) -> tuple[Path, int]:
    """The sample project with [email] pointing at a free loopback port, ingested once."""
    import shutil

    from flows.ingest import ingest_flow
    from tests.conftest import REPO

    root = tmp_path_factory.mktemp("mailed")
    for name in ("config", "samples"):
        shutil.copytree(REPO / name, root / name)
    port = free_port()
    config = root / "config" / "newswatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + email_table(port, "retries = 1\nretry_backoff_seconds = 0.5"),
                      encoding="utf-8")
    ingest_flow(config_path=str(config))
    return config, port


def deliveries(config: Path) -> list[dict]:  # type: ignore[type-arg]
    with Database(config.parents[1] / "data" / "newswatch.duckdb", read_only=True) as db:
        return db.query_dicts("SELECT * FROM deliveries ORDER BY digest_date, recipient")


@pytest.fixture(scope="module")
def received(mailed_project: tuple[Path, int]) -> Received:
    """Server down: stored unsent with the cause. Server up: the next run delivers once; a third sends nothing."""
    from flows.digest import digest_flow

    config, port = mailed_project
    with pytest.raises(MailError) as failure:
        digest_flow(config_path=str(config))
    assert f"127.0.0.1:{port}" in str(failure.value) and "connection refused" in str(failure.value)
    [row] = deliveries(config)
    assert (row["digest_date"], row["recipient"], row["status"]) == (DAY, ALICE, "failed")
    assert "connection refused" in row["last_error"]
    assert row["subject"]  # the digest itself is stored

    with smtp_server(port=port) as server:
        first = digest_flow(config_path=str(config))
        second = digest_flow(config_path=str(config))
        third = digest_flow(config_path=str(config), send_mail=False)
    assert first.sent == [f"{ALICE} ({DAY})"]
    assert second.sent == [] and any("already sent" in n for n in second.mail_notes)
    assert third.sent == [] and third.mail_notes == []
    assert len(server.received) == 1
    [row] = deliveries(config)
    assert row["status"] == "sent" and row["attempts"] == 3 and row["last_error"] is None
    with Database(config.parents[1] / "data" / "newswatch-read.duckdb", read_only=True) as copy:
        assert copy.query("SELECT status FROM deliveries") == [("sent",)]  # SQL clients see it at once
    return server.received[0]


def parts(msg: EmailMessage) -> tuple[str, str, dict[str, bytes]]:
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert isinstance(plain, EmailMessage) and isinstance(html, EmailMessage)
    images = {
        p["Content-ID"].strip("<>"): p.get_content()
        for p in msg.walk()
        if p.get_content_type() == "image/png"
    }
    return plain.get_content(), html.get_content(), images


def test_the_real_digest_arrives_once_with_both_parts_and_its_charts(received: Received) -> None:
    msg = received.message()
    assert msg["Subject"] == f"newswatch digest {DAY}"
    assert msg.get_content_type() == "multipart/alternative"
    text, html, images = parts(msg)
    assert "india-pakistan" in text.lower() and "<table" in html
    cids = set(re.findall(r"cid:([A-Za-z0-9._@-]+)", html))
    # Charts per topic: 14 days of volume and tone, and the top actors' mentions and tone.
    assert {"topic0-volume", "topic0-actors", "topic1-volume"} <= cids
    assert cids <= set(images)
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    assert not re.search(
        r"""<(img|link|script)[^>]*(src|href)\s*=\s*["']?(https?:)?//""", html, re.IGNORECASE
    )
    assert "<script" not in html.lower()


@pytest.mark.skipif(find_chromium() is None, reason="chromium is not installed (apt-get install -y chromium)")
def test_the_real_digest_renders_within_600_px_with_its_images(received: Received) -> None:
    _, html, images = parts(received.message())
    assert check_mail_layout(html, images) == []


def test_the_digest_is_published_as_a_markdown_artifact(received: Received) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[f"digest-{DAY}"]))
        )
    assert found and found[0].type == "markdown"
    assert "india-pakistan" in str(found[0].data).lower()


def test_the_mailed_version_is_kept_when_its_day_is_built_again(mailed_project: tuple[Path, int],
                                                                received: Received) -> None:
    """The fixture built the day four times: unmailed (server down), mailed, then twice again without mail. The
    stored digest is the last build; the version Alice received is kept, once, with the evidence rows its flags
    had (a reader checks the mail's flags against them), and neither the version whose mail failed nor the
    rebuilds that were never mailed are kept."""
    import json

    config, _ = mailed_project
    msg = received.message()
    _, html, _ = parts(msg)
    with Database(config.parents[1] / "data" / "newswatch.duckdb", read_only=True) as db:
        kept = db.query_dicts("SELECT * FROM digest_version WHERE digest_date = ?", [DAY])
        [current] = db.query_dicts("SELECT generated_at, html FROM digest WHERE digest_date = ?", [DAY])
        evidence_now = db.query_dicts("SELECT flag_no, kind, rank, article_id FROM evidence WHERE digest_date = ? "
                                      "ORDER BY flag_no, kind, rank", [DAY])
    assert len(kept) == 1
    [version] = kept
    assert version["subject"] == msg["Subject"]
    assert version["html"].strip() == html.replace("\r\n", "\n").strip()  # what was mailed, word for word
    assert version["generated_at"] < version["replaced_at"] and version["generated_at"] < current["generated_at"]
    rows = json.loads(version["evidence"])
    # Built again over the same articles, the flags and their evidence are the same as the mailed ones.
    assert [(r["flag_no"], r["kind"], r["rank"], r["article_id"]) for r in rows] == [
        (r["flag_no"], r["kind"], r["rank"], r["article_id"]) for r in evidence_now]
    assert rows and all(r["digest_date"] == DAY.isoformat() for r in rows)

    # docs/schema.md (migration 018) shows how to read a version's evidence as rows; its query, run as written (with
    # this digest's day), gives the kept rows in order, each with the quoted words (before, it gave only a count).

    doc = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")
    sql = [b for b in re.findall(r"```sql\n(.*?)```", doc, re.S) if "FROM digest_version v," in b]
    assert sql, "docs/schema.md: no query reading digest_version's evidence rows"
    statement = sql[0].strip().rstrip(";").replace("DATE '2025-05-10'", f"DATE '{DAY.isoformat()}'")
    with Database(config.parents[1] / "data" / "newswatch-read.duckdb", read_only=True) as db:
        read = db.query_dicts(statement)
    assert [(r["flag_no"], r["kind"], r["rank"]) for r in read] == [(r["flag_no"], r["kind"], r["rank"]) for r in rows]
    assert all(r["quoted"] for r in read if r["kind"] != "outlet")


def test_an_ingest_that_finds_the_previous_one_running_skips_and_says_so(
    mailed_project: tuple[Path, int],
) -> None:
    from flows.ingest import ingest_flow
    from newswatch.runlock import acquire_run_lock, lock_path

    config, _ = mailed_project
    with acquire_run_lock(
        lock_path(config.parents[1] / "data" / "newswatch.duckdb", "ingest"), label="ingest"
    ) as held:
        assert held is not None
        summary = ingest_flow(config_path=str(config))
    assert summary.skipped and "still going" in summary.skipped and "pid" in summary.skipped
    assert summary.articles_new == 0


def test_a_digest_that_waits_too_long_for_the_previous_one_skips(
    mailed_project: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.digest
    from newswatch.runlock import acquire_run_lock, lock_path

    config, _ = mailed_project
    monkeypatch.setattr(flows.digest, "WAIT_SECONDS", 1)
    with acquire_run_lock(lock_path(config.parents[1] / "data" / "newswatch.duckdb", "digest")) as held:
        assert held is not None
        summary = flows.digest.digest_flow(config_path=str(config))
    assert summary.skipped and "another digest run" in summary.skipped


# Holds the working database open for writing (DuckDB's file lock) until killed.
HOLD_DATABASE = "import sys, time, duckdb; con = duckdb.connect(sys.argv[1]); print('held', flush=True); time.sleep(300)"


def test_mail_sent_before_the_database_turned_busy_keeps_the_run_whole(
    mailed_project: tuple[Path, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process takes the database right after the mail went out (mocked: the moment, by wrapping the flow's
    send step; the lock is a real one, held by a child process). The run still ends well: the delivery was
    recorded before, and the run says its read copy waits for the next run instead of failing after mailing."""
    import subprocess
    import sys

    import flows.digest

    config, port = mailed_project
    db_path = config.parents[1] / "data" / "newswatch.duckdb"
    monkeypatch.setattr(flows.digest, "WAIT_SECONDS", 1)
    real_send = flows.digest.send
    holder: list[subprocess.Popen[str]] = []

    def send_then_busy(*args: object) -> object:
        result = real_send.fn(*args)  # type: ignore[arg-type]
        holder.append(subprocess.Popen([sys.executable, "-c", HOLD_DATABASE, str(db_path)],
                                       stdout=subprocess.PIPE, text=True))
        assert holder[0].stdout is not None and holder[0].stdout.readline().strip() == "held"
        return result

    monkeypatch.setattr(flows.digest, "send", send_then_busy)
    try:
        with smtp_server(port=port) as server:
            summary = flows.digest.digest_flow(config_path=str(config), resend=True)
    finally:
        for child in holder:
            child.kill()
            child.wait()
    assert len(server.received) == 1 and summary.sent == [f"{ALICE} ({DAY})"]
    assert any("read copy was not republished" in note for note in summary.mail_notes)
    assert deliveries(config)[-1]["status"] == "sent"  # recorded before the database turned busy


def test_the_password_can_come_from_a_prefect_secret_block(prefect_engine: None) -> None:

    from prefect.blocks.system import Secret

    from flows.digest import _load_password
    from newswatch.report import mail

    Secret(value="sample-password-123").save("newswatch-test-smtp", overwrite=True)
    settings = mail.EmailSettings(
        host="127.0.0.1",
        port=25,
        security="none",
        username="digest",
        password_env=None,
        password_block="newswatch-test-smtp",
        sender="digest@example.org",
        recipients=(ALICE,),
    )
    assert _load_password(settings) == "sample-password-123"
    with pytest.raises(MailError, match="no-such-block"):
        _load_password(settings.model_copy(update={"password_block": "no-such-block"}))


def test_a_digest_stopped_after_building_and_before_mailing_is_caught_up_by_the_next_run(
        tmp_path: Path, prefect_engine: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """A digest run killed (or failed) after storing the day's digest and before mailing it: the next digest run
    mails it with its own day's. Before, the day had no delivery row at all, and the catch-up only looked at failed
    ones, so it was never mailed (a review's SIGKILL right after "digest for ... written"). A digest built with
    --no-send is not mailed later."""
    import shutil
    from datetime import timedelta

    import flows.digest
    from flows.ingest import ingest_flow
    from tests.conftest import REPO

    for name in ("config", "samples"):
        shutil.copytree(REPO / name, tmp_path / name)
    port = free_port()
    config = tmp_path / "config" / "newswatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + email_table(port, "retries = 0"), encoding="utf-8")
    ingest_flow(config_path=str(config))
    before, quiet = DAY - timedelta(days=1), DAY - timedelta(days=2)
    flows.digest.digest_flow(config_path=str(config), day=quiet, send_mail=False)

    def stopped(*args: object) -> object:
        raise RuntimeError("stopped before mailing (SAMPLE)")

    monkeypatch.setattr(flows.digest, "send", stopped)
    with pytest.raises(RuntimeError, match="before mailing"):
        flows.digest.digest_flow(config_path=str(config), day=before)
    monkeypatch.undo()

    with smtp_server(port=port) as server:
        summary = flows.digest.digest_flow(config_path=str(config), day=DAY)
    assert sorted(summary.sent) == sorted([f"{ALICE} ({before})", f"{ALICE} ({DAY})"])
    assert len(server.received) == 2
    assert {(r["digest_date"], r["status"]) for r in deliveries(config)} == {(before, "sent"), (DAY, "sent")}


def test_a_read_copy_that_cannot_be_written_does_not_hold_back_the_mail(
        tmp_path: Path, prefect_engine: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The read copy for SQL clients needs as much free space as the whole database, so on a filling disk it is the
    first write to fail (or its folder is read-only). Before, the digest run failed at that copy, before mailing:
    no digest went out on any day until a person freed space (a review's 5 MB tmpfs for the copy). The digest is now
    stored and mailed, and then the run fails naming the copy; the next run publishes it and mails nobody again.
    Mocked: the full disk, at the child process that writes the copy."""
    import shutil

    import flows.digest
    import storage.db as db_mod
    from flows.ingest import ingest_flow
    from newswatch.errors import StorageError
    from tests.conftest import REPO

    for name in ("config", "samples"):
        shutil.copytree(REPO / name, tmp_path / name)
    port = free_port()
    config = tmp_path / "config" / "newswatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + email_table(port, "retries = 0"), encoding="utf-8")
    ingest_flow(config_path=str(config))
    copy = tmp_path / "data" / "newswatch-read.duckdb"

    def full_disk(source: Path, dest: Path) -> None:
        raise StorageError(f"{dest}: cannot write the copy for SQL clients: OSError: [Errno 28] No space left on "
                           "device")

    with smtp_server(port=port) as server:
        with monkeypatch.context() as patched:
            patched.setattr(db_mod, "copy_held_file", full_disk)
            with pytest.raises(StorageError, match=r"No space left on device.*stored and mailed"):
                flows.digest.digest_flow(config_path=str(config))
        assert len(server.received) == 1
        assert [(r["recipient"], r["status"]) for r in deliveries(config)] == [(ALICE, "sent")]
        with Database(copy, read_only=True) as client:
            assert client.query("SELECT count(*) FROM deliveries") == [(0,)]  # the copy from before the digest

        again = flows.digest.digest_flow(config_path=str(config))
    assert again.sent == [] and any("already sent" in n for n in again.mail_notes)
    assert len(server.received) == 1
    with Database(copy, read_only=True) as client:
        assert client.query("SELECT status FROM deliveries") == [("sent",)]


def test_a_read_copy_whose_folder_cannot_be_made_does_not_hold_back_the_digest_or_the_mail(
        tmp_path: Path, prefect_engine: None) -> None:
    """The copy's folder is made when the digest starts its copy: a folder that could not be made (here a file where
    the folder should be) ended the digest run there with a bare FileExistsError, before the digest was built, stored
    or mailed. It is now a StorageError naming the folder, met as a copy that cannot be written: stored, mailed, then
    the run fails."""
    import shutil

    import flows.digest
    from flows.ingest import ingest_flow
    from newswatch.errors import StorageError
    from tests.conftest import REPO

    for name in ("config", "samples"):
        shutil.copytree(REPO / name, tmp_path / name)
    port = free_port()
    config = tmp_path / "config" / "newswatch.toml"
    config.write_text(config.read_text(encoding="utf-8") + email_table(port, "retries = 0"), encoding="utf-8")
    ingest_flow(config_path=str(config))
    (tmp_path / "blocked").write_text("not a folder\n", encoding="utf-8")
    text = config.read_text(encoding="utf-8").replace(
        'database = "data/newswatch.duckdb"\n', 'database = "data/newswatch.duckdb"\nclient_copy = "blocked/read.duckdb"\n')
    config.write_text(text, encoding="utf-8")

    with smtp_server(port=port) as server:
        with pytest.raises(StorageError, match=r"blocked: cannot make the folder of the copy.*stored and mailed"):
            flows.digest.digest_flow(config_path=str(config))
        assert len(server.received) == 1
    assert [(r["recipient"], r["status"]) for r in deliveries(config)] == [(ALICE, "sent")]
