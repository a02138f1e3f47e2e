"""Corrections (pipeline.prepare_articles): a stored article whose source changes its text at the same URL is
re-scored in place; another feed's copy of the same URL, or the same text at another URL, is a sighting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from newswatch import pipeline
from newswatch.models import RawEntry, StoredVersion
from newswatch.text.normalize import normalize_entry

NOW = datetime(2025, 5, 10, 12, 0, tzinfo=UTC)


def entry(source: str, text: str, url: str = "https://news.example.invalid/a") -> RawEntry:
    return RawEntry(source=source, outlet=source.title(), title="Talks resume", summary=text, link=url,
                    published=NOW)


class FakeStore:
    """Stands in for the store (storage.store.Store satisfies pipeline.KnownArticles)."""

    def __init__(self, stored: Iterable[RawEntry]) -> None:
        self.versions: dict[str, StoredVersion] = {}
        self.hashes: dict[str, str] = {}
        for raw in stored:
            art = normalize_entry(raw, NOW)
            self.versions[art.article_id] = StoredVersion(art.content_hash, art.source)
            self.hashes[art.content_hash] = art.article_id

    def stored_versions(self, ids: Iterable[str]) -> dict[str, StoredVersion]:
        return {i: self.versions[i] for i in ids if i in self.versions}

    def existing_hashes(self, hashes: Iterable[str]) -> dict[str, str]:
        return {h: self.hashes[h] for h in hashes if h in self.hashes}

    def recent_simhashes(self, since: datetime) -> list[tuple[str, int]]:
        return []


ORIGINAL = "Officials said talks would resume after the ceasefire held overnight."
CORRECTED = "Correction: officials said talks collapsed after the ceasefire failed overnight."


def test_changed_text_from_the_same_source_is_a_revision_even_behind_another_feeds_copy() -> None:
    store = FakeStore([entry("wire", ORIGINAL)])
    # The other feed's unchanged copy comes first in the batch; the correction is still found.
    prepared = _prepare([entry("other", ORIGINAL), entry("wire", CORRECTED)], store)
    assert prepared.new == []
    assert [(a.source, a.summary) for a in prepared.revised] == [("wire", CORRECTED)]


def test_another_feeds_different_text_at_the_same_url_is_a_copy_not_a_revision() -> None:
    store = FakeStore([entry("wire", ORIGINAL)])
    prepared = _prepare([entry("other", CORRECTED)], store)
    assert prepared.revised == [] and prepared.new == [] and len(prepared.sightings) == 1


def test_unchanged_text_and_syndicated_copies_are_sightings() -> None:
    store = FakeStore([entry("wire", ORIGINAL)])
    same = entry("wire", ORIGINAL)
    syndicated = entry("partner", ORIGINAL, url="https://partner.example.invalid/copy")
    prepared = _prepare([same, syndicated], store)
    assert prepared.revised == [] and prepared.new == []
    assert len({s[0] for s in prepared.sightings}) == 1 and len(prepared.sightings) == 2


def test_items_without_text_of_their_own_at_other_urls_are_articles_of_their_own() -> None:
    """Same headline, no description, three URLs (a daily "Morning briefing"), or a headline repeated as its only
    text: nothing says they are one article, so none is folded into another, in the batch or against the store;
    a full text at another URL still folds (the syndicated copy above)."""
    def bare(day: int, summary: str = "") -> RawEntry:
        return RawEntry(source="daily", outlet="Daily", title="Morning briefing", summary=summary,
                        link=f"https://news.example.invalid/briefing/{day}", published=NOW)

    store = FakeStore([bare(1)])
    prepared = _prepare([bare(2), bare(3), bare(4, "Morning briefing")], store)
    assert sorted(a.url or "" for a in prepared.new) == [f"https://news.example.invalid/briefing/{d}"
                                                         for d in (2, 3, 4)]
    assert prepared.sightings == [] and prepared.duplicates == 0


def test_whether_an_article_has_text_of_its_own_reads_only_as_far_as_it_needs() -> None:
    """`foldable` splits a long text only as far as the answer needs; checked against splitting it whole, on texts
    around the 8-word line and the headline's length, with case folding that changes length ("ß" -> "ss") and
    whitespace of several kinds."""
    import random
    from types import SimpleNamespace

    def whole(title: str, text: str, source: str) -> bool:
        words = text.split()
        return (source != "none" and len(words) >= pipeline.MIN_FOLD_WORDS
                and " ".join(words).casefold() != " ".join(title.split()).casefold())

    rng = random.Random(5)
    vocabulary = ["Strasse", "STRASSE", "straße", "India", "india", "talks", "ceasefire", "ΣΊΣΥΦΟΣ", "σίσυφος"]
    spaces = [" ", "  ", "\n", "\t", "\u00a0", "\u2003"]
    for _ in range(3000):
        title_words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 12))]
        title = rng.choice(spaces).join(title_words)
        if rng.random() < 0.5:  # the headline again, perhaps in other case or spacing, perhaps with more words
            words = [w.upper() if rng.random() < 0.3 else w for w in title_words]
            words += [rng.choice(vocabulary) for _ in range(rng.choice([0, 0, 1, 5]))]
        else:
            words = [rng.choice(vocabulary) for _ in range(rng.randint(0, 20))]
        text = "".join(rng.choice(spaces) + w for w in words) + rng.choice(["", " ", "\n"])
        source = rng.choice(["feed", "summary", "none"])
        art = SimpleNamespace(title=title, text=text, text_source=source)
        assert pipeline.foldable(art) == whole(title, text, source), (title, text, source)  # type: ignore[arg-type]


def _prepare(entries: list[RawEntry], store: object) -> pipeline.Prepared:
    return pipeline.prepare_articles(pipeline.normalize_entries(entries, NOW), store, "r", NOW)  # type: ignore[arg-type]
