"""Reading event-labelled articles (JSONL: id, event, date, title, text, source, url) for the tracking and
story evaluations, and the corpus statistics a store holding them would have.

Reads files and computes figures; never writes anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from newswatch.errors import EvalError
from newswatch.evaluation.common import _lines
from newswatch.text.corpus_stats import CorpusStats
from newswatch.text.terms import content_terms, tokenize

UNDATED = datetime(2000, 1, 1, tzinfo=UTC)  # every undated article is given this time: one window holds them all


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    id: str
    event: str
    title: str
    text: str
    outlet: str
    published_at: datetime | None  # None: the file gives no date
    position: int  # line order, for ties and undated seeds


def read_events(path: Path) -> list[LabelledArticle]:
    """Articles of a JSONL file labelled by event; each line checked, errors name the file and line."""
    out: list[LabelledArticle] = []
    for number, record in _lines(path):
        where = f"{path}:{number}"
        for key in ("id", "event"):
            if not isinstance(record.get(key), str | int) or str(record.get(key)).strip() == "":
                raise EvalError(f"{where}: expected a non-empty {key!r}")
        title, text = record.get("title") or "", record.get("text") or ""
        if not isinstance(title, str) or not isinstance(text, str) or not (title or text):
            raise EvalError(f"{where}: expected 'title' and/or 'text' as strings")
        raw = record.get("date")
        when: datetime | None = None
        if raw not in (None, "", "None"):
            try:
                when = datetime.fromisoformat(str(raw))
            except ValueError:
                raise EvalError(f"{where}: expected 'date' in ISO format, got {raw!r}") from None
            when = when if when.tzinfo else when.replace(tzinfo=UTC)
        out.append(LabelledArticle(str(record["id"]), str(record["event"]), title, text,
                                   str(record.get("source") or ""), when, len(out)))
    if not out:
        raise EvalError(f"{path}: no articles found")
    return out


def store_stats(articles: list[LabelledArticle]) -> CorpusStats:
    """The corpus statistics of a store that holds these articles: what newswatch builds as it stores them
    (the same terms as newswatch.analysis.analyzer counts), over the English prior."""
    stats = CorpusStats()
    stats.add_documents(content_terms(tokenize(f"{a.title}\n{a.text}")) for a in articles)
    return stats


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}
