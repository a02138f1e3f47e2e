"""normalize: canonical URLs, HTML to text, hashes, ids, RawEntry -> Article."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newswatch.models import RawEntry
from newswatch.text.normalize import (
    MAX_TEXT,
    MAX_TITLE,
    article_id_for,
    canonical_url,
    content_hash,
    html_to_text,
    normalize_entry,
    to_text,
)

SEEN = datetime(2025, 5, 11, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTPS://News.Example.ORG:443/a/b?z=1&a=2#top", "https://news.example.org/a/b?a=2&z=1"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/x", "http://example.org:8080/x"),
        (
            "https://example.org/x?utm_source=rss&utm_medium=feed&fbclid=1&gclid=2&mc_cid=3&mc_eid=4&ocid=5"
            "&cmpid=6&at_medium=7&id=42",
            "https://example.org/x?id=42",
        ),
        ("https://example.org/x?UTM_Campaign=a&q=a%20b", "https://example.org/x?q=a%20b"),
        # feed campaign tags of news sites: the same article whichever feed linked it
        (
            "https://www.example.com/2025/05/10/world/asia/x.html?partner=rss&emc=rss",
            "https://www.example.com/2025/05/10/world/asia/x.html",
        ),
        ("https://example.org/x?WT.mc_id=RSS&wt_mc=rss.feed&xtor=RSS-1&ncid=yahoo&p=2", "https://example.org/x?p=2"),
        ("https://user:pw@example.org/x", "https://example.org/x"),
        ("  https://example.org/x  ", "https://example.org/x"),
        ("ftp://example.org/x", None),
        ("javascript:alert(1)", None),
        ("mailto:a@example.org", None),
        ("file:///etc/passwd", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
        ("http://example.org:99999/", None),
        ("https:///nohost", None),
    ],
)
def test_canonical_url(url: str | None, expected: str | None) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_resolves_against_base_and_is_idempotent() -> None:
    url = canonical_url("../b?y=2&x=1", "https://Example.org/a/c/index.html")
    assert url == "https://example.org/a/b?x=1&y=2"
    assert canonical_url(url) == url


def test_html_to_text_strips_markup_keeps_paragraphs() -> None:
    html = (
        "<div><h2>Head</h2><p>One &amp; <b>two</b>\n   three</p><script>var x = '<p>no</p>';</script>"
        "<style>p{}</style><p>Caf&eacute; &#8217;quoted&#8217;</p><ul><li>a</li><li>b</li></ul>x<br>y</div>"
    )
    assert html_to_text(html) == "Head\nOne & two three\nCafé \u2019quoted\u2019\na\nb\nx\ny"


def test_html_to_text_keeps_pre_lines_and_survives_an_open_head() -> None:
    assert html_to_text("<p>a</p><pre>line 1\nline 2</pre>") == "a\nline 1\nline 2"
    assert html_to_text("<html><head><title>T</title><body><p>Body text</p></body></html>") == "Body text"
    assert html_to_text("<div><style>x{}<p>hidden</p></style>shown</div>") == "shown"


def test_html_to_text_leaves_unknown_entities_alone() -> None:
    assert html_to_text("<p>&lol9; &amp;</p>") == "&lol9; &"
    assert html_to_text("") == ""
    assert html_to_text("plain text") == "plain text"


def test_content_hash_ignores_case_and_spacing() -> None:
    assert content_hash("Title", "Some  text\n here") == content_hash("title", "some text here")
    assert content_hash("Title", "text") != content_hash("Title", "other text")
    assert len(content_hash("a", "b")) == 40


def test_article_id_prefers_url_then_guid_then_hash() -> None:
    by_url = article_id_for("https://example.org/x?utm_source=a", "g", "feed", "h")
    assert by_url == article_id_for("https://EXAMPLE.org/x", None, "other", "zz")
    by_guid = article_id_for(None, "g", "feed", "h")
    assert by_guid != article_id_for(None, "g", "feed2", "h")
    assert by_guid == article_id_for("javascript:void(0)", "g", "feed", "other")
    by_hash = article_id_for(None, None, "feed", "h")
    assert by_hash == article_id_for(None, "  ", "other", "h")
    assert len({by_url, by_guid, by_hash}) == 3
    assert all(len(i) == 16 and int(i, 16) >= 0 for i in (by_url, by_guid, by_hash))


def raw(**kwargs: object) -> RawEntry:
    base: dict[str, object] = {"source": "sample", "outlet": "Sample Wire"}
    base.update(kwargs)
    return RawEntry(**base)  # type: ignore[arg-type]


def test_normalize_entry_prefers_content() -> None:
    published = datetime(2025, 5, 10, 10, 30, tzinfo=timezone(timedelta(hours=2)))
    article = normalize_entry(
        raw(
            title="<b>Sample</b> headline",
            summary="<p>Teaser</p>",
            content="<p>Body one.</p><p>Body two.</p>",
            link="https://example.org/a?utm_source=x",
            guid=" g1 ",
            published=published,
            language="EN",
            origin="https://example.org/feed",
        ),
        SEEN,
    )
    assert article.title == "Sample headline"
    assert article.text == "Body one.\nBody two."
    assert article.text_source == "feed"
    assert article.summary == "Teaser"
    assert article.url == "https://example.org/a"
    assert article.guid == "g1"
    assert article.published_at == datetime(2025, 5, 10, 8, 30, tzinfo=UTC)
    assert article.published_estimated is False
    assert article.first_seen_at == SEEN
    assert article.language == "en"
    assert article.content_hash == content_hash(article.title, article.text)
    assert article.article_id == article_id_for(article.url, "g1", "sample", article.content_hash)


@pytest.mark.parametrize("link", [
    "https://example.org/a",  # canonical as written
    "HTTPS://Example.org/a?utm_source=x&b=2",  # made canonical
    "HTTPS://u:p@B?:99999?a:443 #@https?",  # garbled: its canonical form is not its own canonical form
    "https://&amp;[::1]%75tm_sourceutm_sourceu:p@fbclidftp[::1[X.COM.",  # garbled: its canonical form has none
])
def test_the_id_is_keyed_as_article_id_for_keys_the_canonical_url(link: str) -> None:
    """Ids stay what they were when the article's canonical URL was given to article_id_for: canonical_url is not
    idempotent on every garbled link, and a changed id would store an article twice."""
    article = normalize_entry(raw(title="T", content="Body text of the sample.", link=link, guid="g"), SEEN)
    assert article.url == canonical_url(link)
    assert article.article_id == article_id_for(article.url, "g", "sample", article.content_hash)


def test_normalize_entry_falls_back_to_summary_then_title() -> None:
    article = normalize_entry(raw(title="T", summary="Only a summary"), SEEN)
    assert (article.text, article.text_source) == ("Only a summary", "summary")
    article = normalize_entry(raw(title="Only a title"), SEEN)
    assert (article.text, article.text_source) == ("Only a title", "none")
    assert article.published_at == SEEN and article.published_estimated is True


def test_normalize_file_entry_keeps_plain_text_lines() -> None:
    article = normalize_entry(
        raw(title="Head", content="Line one.\n\nLine two & more", text_source="file"), SEEN
    )
    assert article.text == "Line one.\nLine two & more"
    assert article.text_source == "file"


def test_normalize_strips_controls_and_caps_lengths() -> None:
    article = normalize_entry(
        raw(title="Bad\x00 tit\x07le " + "x" * 5000, content="ok\x1b[31m\ttext\x00" + "y" * (MAX_TEXT + 10)),
        SEEN,
    )
    assert "\x00" not in article.title and "\x07" not in article.title
    assert len(article.title) == MAX_TITLE
    assert article.text.startswith("ok[31m text")
    assert len(article.text) == MAX_TEXT


def test_naive_datetimes_are_taken_as_utc() -> None:
    article = normalize_entry(raw(title="t", published=datetime(2025, 1, 1, 12)), datetime(2025, 1, 2))
    assert article.published_at.tzinfo is not None and article.first_seen_at.tzinfo is not None


def test_huge_html_fields_are_read_only_up_to_a_bound() -> None:
    from newswatch.text.normalize import MAX_INPUT

    article = normalize_entry(raw(title="t", content="<p>" + "word " * (MAX_INPUT // 2) + "</p>"), SEEN)
    assert len(article.text) == MAX_TEXT


def test_plain_text_with_angle_brackets_is_not_html() -> None:
    article = normalize_entry(
        raw(title="2<3 and 5>4", summary="Mail Sample <sample@example.org>\nif x<y then"), SEEN
    )
    assert article.title == "2<3 and 5>4"
    assert article.text == "Mail Sample <sample@example.org>\nif x<y then"
    file_article = normalize_entry(
        raw(title="t", content="Tom &amp; Jerry <tom@example.org>", text_source="file"), SEEN
    )
    assert file_article.text == "Tom &amp; Jerry <tom@example.org>"
    html_article = normalize_entry(raw(title="t", content="<P CLASS=x>Real &amp; HTML</P><!-- c -->"), SEEN)
    assert html_article.text == "Real & HTML"


def test_space_patterns_match_the_plain_ones_on_every_short_mix_of_whitespace() -> None:
    """The space-collapsing patterns skip lone spaces for speed; their output must be that of the plain `\\s+` and
    `[^\\S\\n]+` on any string. Every string of up to 4 characters over a whitespace-rich alphabet (ASCII and
    Unicode spaces, line breaks, letters, the parser's break mark) is checked."""
    import itertools
    import re

    from newswatch.text import normalize

    alphabet = [" ", "\n", "\t", "\r", "\x0b", "\x1f", "\x85", "\xa0", "\u2003", "\u2028", "\u3000", "a", "\ue000"]
    plain_any, plain_spaces = re.compile(r"\s+"), re.compile(r"[^\S\n]+")
    # The patterns as they were before they opened with one character class (docs/performance.md): the same spans.
    before_any, before_spaces = re.compile(r"(?: \s|[^\S ])\s*"), re.compile(r"(?: [^\S\n]|[^\S\n ])[^\S\n]*")
    plain_newlines = re.compile(r"\s*\n\s*")
    for size in range(5):
        for chars in itertools.product(alphabet, repeat=size):
            value = "x" + "".join(chars) + "y " + "".join(reversed(chars))
            assert normalize._ANY_SPACE.sub(" ", value) == plain_any.sub(" ", value), repr(value)
            assert normalize._SPACES.sub(" ", value) == plain_spaces.sub(" ", value), repr(value)
            assert normalize._NEWLINES.sub("\n", value) == plain_newlines.sub("\n", value), repr(value)
            for pattern, before in ((normalize._ANY_SPACE, before_any), (normalize._SPACES, before_spaces),
                                    (normalize._NEWLINES, plain_newlines)):
                assert [m.span() for m in pattern.finditer(value)] == [m.span() for m in before.finditer(value)]


@pytest.mark.parametrize(("html_in", "text"), [
    # A feed's trailing link line: navigation, not the article.
    ('<p>Officials met on Monday (SAMPLE).</p> <a href="https://example.org/a">Continue reading...</a>',
     "Officials met on Monday (SAMPLE)."),
    ('<p>Officials met on Monday (SAMPLE).</p><p><a href="https://example.org/a">Read full article &gt;&gt;</a></p>',
     "Officials met on Monday (SAMPLE)."),
    # A labelled link to another article, anywhere: its headline and actors are not this article's.
    ('<p>First (SAMPLE).</p><p><span>Related: </span><a href="https://example.org/b">Another sample story about '
     'Pakistan</a></p><p>Second (SAMPLE).</p>', "First (SAMPLE).\nSecond (SAMPLE)."),
    # Links inside running text, a list of links inside the text, and a text that is only a link: all kept.
    ('<p>The minister said <a href="https://example.org/r">the report</a> was wrong (SAMPLE).</p>',
     "The minister said the report was wrong (SAMPLE)."),
    ('<p>Tools (SAMPLE):</p><ul><li><a href="https://example.org/1">RestKit</a></li></ul><p>More text.</p>',
     "Tools (SAMPLE):\nRestKit\nMore text."),
    ('<a href="https://example.org/c">Army chief meets envoy (SAMPLE)</a>', "Army chief meets envoy (SAMPLE)"),
    # A link never closed ends with its block; a line break inside a paragraph ends no block; a colon label that is
    # content ("Update:") keeps its link (a review of the first version found all three dropped).
    ('<p>See <a href="https://example.org/r">the report</p><p>The minister said the plan would cut costs (SAMPLE).'
     '</p>', "See the report\nThe minister said the plan would cut costs (SAMPLE)."),
    ('<p>Contact (SAMPLE): <a href="mailto:desk@example.org">desk@<br>example.org</a>.</p>',
     "Contact (SAMPLE): desk@\nexample.org."),
    ('<p>Update: <a href="https://example.org/u">The minister has resigned (SAMPLE)</a></p><p>Earlier text.</p>',
     "Update: The minister has resigned (SAMPLE)\nEarlier text."),
])
def test_link_lines_of_feeds_are_dropped_and_links_in_the_text_kept(html_in: str, text: str) -> None:
    """A review found "Continue reading..." or "Read full article >>" in 81 of 262 real feed items, and "Related:
    <another article's headline>" inside four, bringing that article's words and actors into the text."""
    assert to_text(html_in) == text
