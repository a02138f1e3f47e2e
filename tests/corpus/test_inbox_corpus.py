"""Saved real article pages (../shared/corpus/articles-html) dropped into the inbox: headline, main text, URL.

The gold "with" snippets of the trafilatura evaluation set must survive inbox reading and normalisation.
Skipped when ../shared is absent; the corpus is read in place, never copied.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from newswatch.sources.inbox import read_inbox_file_with_problems
from newswatch.text.normalize import normalize_entry

pytestmark = pytest.mark.corpus

PAGES = (
    Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus" / "articles-html" / "trafilatura-eval"
)
GOLD_FILE = PAGES / "evaldata.subset.json"


def gold() -> list[dict[str, Any]]:
    if not GOLD_FILE.is_file():
        return []
    records = json.loads(GOLD_FILE.read_text(encoding="utf-8"))
    return [dict(record, url=url) for url, record in records.items() if (PAGES / record["file"]).is_file()]


GOLD = gold()
if not GOLD:
    pytest.skip("../shared/corpus/articles-html is absent", allow_module_level=True)


@pytest.mark.parametrize("record", GOLD, ids=[r["file"] for r in GOLD])
def test_saved_page_reads_as_one_article(record: dict[str, Any]) -> None:
    result = read_inbox_file_with_problems(PAGES / record["file"], "inbox")
    (entry,) = result.entries
    article = normalize_entry(entry, datetime(2026, 1, 1, tzinfo=UTC))
    assert article.title and "\n" not in article.title
    assert article.text_source == "file"
    missing = [snippet for snippet in record["with"] if snippet not in article.text]
    assert not missing, f"{record['file']}: main text lacks {missing}"
    assert article.url and article.url.startswith(("http://", "https://"))
    assert not article.published_estimated  # every page in the set carries a date
