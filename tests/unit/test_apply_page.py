"""Whether a fetched page's text replaces the feed's: longer, and about the item (not a wall or an error page)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from newswatch.models import Article, RawEntry
from newswatch.sources.fulltext import apply_page
from newswatch.sources.pages import PageResult
from newswatch.text.normalize import normalize_entry

WHEN = datetime(2025, 5, 10, 9, tzinfo=UTC)
TITLE = "Harbour committee approves sea wall repairs in Westmere (SAMPLE)"
SUMMARY = "SAMPLE. The committee approved the repairs on Monday."
ARTICLE = ("SAMPLE ARTICLE for tests. The harbour committee of the fictional town of Westmere met on Monday evening "
           "and approved the plan to repair the old sea wall before the winter storms arrive. ") * 3
# Stand-ins written for this test, shaped like the pages real sites send with status 200.
CONSENT = ("We and our 842 partners store and/or access information on a device, such as cookies, and process "
           "personal data, such as unique identifiers and standard information sent by a device for personalised "
           "advertising and content, advertising and content measurement, audience research and services "
           "development. You may accept or manage your choices by clicking below.")
PAYWALL = ("You have reached your limit of free articles this month. Subscribe now for unlimited access to our "
           "journalism, our newsletters and our apps, from just one dollar a week for the first year.")
NOT_FOUND = ("Sorry, we couldn't find that page. The page you are looking for may have been moved or deleted. "
             "Try searching our site, or go back to the homepage to find the latest stories.")


def entry(title: str = TITLE) -> Article:
    return normalize_entry(RawEntry(source="f", outlet="O", title=title, summary=SUMMARY, published=WHEN,
                                    link="http://sample.invalid/harbour"), WHEN)


def page(text: str) -> PageResult:
    return PageResult("http://sample.invalid/harbour", "page", text, None, "trafilatura", None, 200)


@pytest.mark.parametrize("stub", [CONSENT, PAYWALL, NOT_FOUND])
def test_a_wall_or_error_page_sent_as_a_page_does_not_replace_the_feeds_text(stub: str) -> None:
    article = entry()
    reason = apply_page(article, page(stub))
    assert reason is not None and "not the article" in reason
    assert article.text_source != "page" and "approved the repairs" in article.text


def test_the_article_page_replaces_the_feeds_text() -> None:
    article = entry()
    assert apply_page(article, page(ARTICLE)) is None
    assert article.text_source == "page" and "winter storms" in article.text


def test_a_headline_of_one_content_word_is_not_checked() -> None:
    article = entry("Breaking")
    assert apply_page(article, page(CONSENT)) is None


def test_a_headline_in_a_script_without_spaces_is_found_inside_the_pages_runs() -> None:
    """Chinese has no spaces: the headline's "words" are long runs that the page holds inside longer ones."""
    article = entry("中国外交部：呼吁克制（样例）")
    assert apply_page(article, page("样例文章。" + "中国外交部发言人周一表示，各方应保持克制，避免局势升级。" * 4)) is None


def test_an_inflected_headline_word_matches_its_other_form_in_the_page() -> None:
    """Finnish endings: the headline's "Niinistön" and "Tukholmaan" are "Niinistö" and "Tukholmassa" in the text."""
    article = entry("Niinistön vierailu Tukholmaan päättyi")
    assert apply_page(article, page("Presidentti Niinistö vieraili Tukholmassa kaksi päivää. " * 5)) is None
