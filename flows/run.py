"""The scheduled job once: ingest, then the digest, as subflows of one flow run (one engine start-up)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from prefect import flow

from flows.digest import DigestSummary, digest_flow
from flows.ingest import IngestSummary, configured_ingest_flow
from newswatch.config import load_settings


@dataclass
class RunSummary:
    ingest: IngestSummary | None
    digest: DigestSummary | None


@flow(name="newswatch-run")
def run_flow(config_path: str | None = None, day: date | None = None, force: bool = False,
             ingest: bool = True, digest: bool = True, send_mail: bool | None = None,
             resend: bool = False) -> RunSummary:
    settings = load_settings(config_path)
    ingest_summary = configured_ingest_flow(settings)(config_path=str(settings.path), force=force) if ingest else None
    digest_summary = digest_flow(config_path=str(settings.path), day=day, send_mail=send_mail,
                                 resend=resend) if digest else None
    return RunSummary(ingest_summary, digest_summary)
