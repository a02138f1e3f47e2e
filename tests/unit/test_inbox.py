"""inbox: scanning folders and reading every supported file type (all text here is sample data)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newswatch.errors import ParseError, SourceError
from newswatch.sources.inbox import INBOX_SUFFIXES, read_inbox_file, read_inbox_file_with_problems, scan_inbox
from tests.support.samples import SAMPLE_RSS


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_scan_is_recursive_sorted_and_skips_partial_and_hidden(tmp_path: Path) -> None:
    keep = [
        write(tmp_path / "b.txt", "x"),
        write(tmp_path / "a.md", "x"),
        write(tmp_path / "sub" / "deeper" / "c.jsonl", "{}"),
        write(tmp_path / "sub" / "page.HTML", "<p>x</p>"),
        write(tmp_path / "feed.rss", SAMPLE_RSS),
    ]
    for name in (
        "d.txt.part",
        "e.json.tmp",
        ".hidden.txt",
        ".git/config.txt",
        "f.pdf",
        "g.txt~",
        "h.crdownload",
    ):
        write(tmp_path / name, "x")
    (tmp_path / "folder.txt").mkdir()
    single = write(tmp_path.parent / f"{tmp_path.name}-single.txt", "x")
    found = scan_inbox([tmp_path, single, tmp_path / "missing-folder", tmp_path])
    assert found == sorted([*keep, single])
    assert ".txt" in INBOX_SUFFIXES and ".jsonl" in INBOX_SUFFIXES


def test_text_file_headline_and_body(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "\n\n  Sample headline  \n\nFirst paragraph.\n\nSecond paragraph.\n")
    (entry,) = read_inbox_file(path, "Sample Desk")
    assert entry.title == "Sample headline"
    assert entry.content == "First paragraph.\n\nSecond paragraph."
    assert (entry.source, entry.outlet, entry.text_source) == ("inbox", "Sample Desk", "file")
    assert entry.origin == str(path)
    assert entry.published is None and entry.link is None


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    text = (
        "---\nurl: https://news.example.org/a?utm_source=x\noutlet: Sample Times\n"
        "published: 2025-05-10T08:30:00+02:00\nlanguage: EN\nguid: sample-7\n---\n# Sample headline\nBody text.\n"
    )
    (entry,) = read_inbox_file(write(tmp_path / "a.md", text), "inbox")
    assert entry.title == "Sample headline"
    assert entry.content == "Body text."
    assert entry.link == "https://news.example.org/a?utm_source=x"
    assert entry.outlet == "Sample Times"
    assert entry.published == datetime(2025, 5, 10, 6, 30, tzinfo=UTC)
    assert (entry.language, entry.guid) == ("en", "sample-7")


def test_markdown_marks_are_removed(tmp_path: Path) -> None:
    text = (
        "## A *sample* headline\n\nSome **bold** words, a [link](https://example.org/x) and an "
        "![chart](img.png).\n> a quoted line\n- list item with `code`\n"
    )
    (entry,) = read_inbox_file(write(tmp_path / "a.md", text), "inbox")
    assert entry.title == "A sample headline"
    assert entry.content == "Some bold words, a link and an chart.\na quoted line\n- list item with code"


def test_front_matter_problems_are_reported_not_fatal(tmp_path: Path) -> None:
    text = "---\npublished: yesterday\ncolour: blue\n---\nHeadline\nBody\n"
    path = write(tmp_path / "a.txt", text)
    result = read_inbox_file_with_problems(path, "inbox")
    (entry,) = result.entries
    assert entry.title == "Headline" and entry.published is None
    assert any("published" in p and str(path) in p for p in result.problems)
    assert any("colour" in p and f"{path}:3" in p for p in result.problems)


def test_non_utf8_text_is_detected_and_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.txt", "Заголовок новости\nТекст статьи о переговорах министров.\n".encode("cp1251")
    )
    result = read_inbox_file_with_problems(path, "inbox")
    assert result.entries[0].title == "Заголовок новости"
    assert result.encoding != "utf-8"
    assert any("not UTF-8" in p for p in result.problems)


@pytest.mark.parametrize(
    ("data", "title", "body_part", "encoding"),
    [
        # A short Windows-1252 file: charset detection alone took it for Windows-1250 ("naďve").
        ("Café headline “quoted” – naïve résumé\nThe minister’s visit.\n".encode("cp1252"),
         "Café headline “quoted” – naïve résumé", "minister’s", "cp1252"),
        # UTF-8 with one stray byte at the end: detection took the whole file for a Japanese code page.
        ("Héadline about the ceasefire\nSome body text with café and naïve words.\n".encode() + b"\xff",
         "Héadline about the ceasefire", "café and naïve", "utf-8 (undecodable bytes replaced)"),
    ],
)
def test_western_and_nearly_utf8_files_keep_their_accents(
    tmp_path: Path, data: bytes, title: str, body_part: str, encoding: str
) -> None:
    result = read_inbox_file_with_problems(write(tmp_path / "a.txt", data), "inbox")
    assert result.entries[0].title == title and body_part in result.entries[0].content
    assert result.encoding == encoding
    assert len(result.problems) == 1 and "Save it as UTF-8" in result.problems[0]


def test_binary_and_empty_files_raise_naming_the_file(tmp_path: Path) -> None:
    binary = write(tmp_path / "a.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError) as caught:
        read_inbox_file(binary, "inbox")
    assert caught.value.kind == "binary" and str(binary) in str(caught.value)
    empty = write(tmp_path / "b.md", " \n")
    with pytest.raises(SourceError) as caught:
        read_inbox_file(empty, "inbox")
    assert caught.value.kind == "empty"
    with pytest.raises(SourceError) as caught:
        read_inbox_file(tmp_path / "nope.txt", "inbox")
    assert caught.value.kind == "file_not_found"
    with pytest.raises(SourceError) as caught:
        read_inbox_file(write(tmp_path / "x.pdf", b"%PDF"), "inbox")
    assert caught.value.kind == "unsupported"


def test_html_page_main_text_title_and_canonical_url(tmp_path: Path) -> None:
    body = " ".join(["The sample delegation discussed trade and border crossings at length."] * 6)
    html = f"""<!DOCTYPE html><html lang="en"><head><title>Sample page title | Sample News</title>
<link rel="canonical" href="https://news.example.org/2025/05/sample-talks">
<meta property="og:title" content="Sample talks continue">
</head><body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Sample talks continue</h1><p>{body}</p><p>{body}</p></article>
<footer>Copyright Sample News. All rights reserved.</footer><script>var tracking = 1;</script></body></html>"""
    (entry,) = read_inbox_file(write(tmp_path / "page.html", html), "inbox")
    assert "Sample talks continue" in entry.title
    assert "sample delegation discussed trade" in entry.content
    assert "tracking" not in entry.content and "All rights reserved" not in entry.content
    assert entry.link == "https://news.example.org/2025/05/sample-talks"
    assert entry.text_source == "file"


def test_tiny_html_falls_back_to_title_and_page_text(tmp_path: Path) -> None:
    path = write(
        tmp_path / "tiny.htm", "<html><head><title>Tiny sample</title></head><body><p>Hi.</p></body></html>"
    )
    (entry,) = read_inbox_file(path, "inbox")
    assert entry.title == "Tiny sample"
    assert "Hi." in entry.content


def test_json_object_and_list(tmp_path: Path) -> None:
    record = {
        "title": "Sample JSON headline",
        "text": "Sample body.",
        "summary": "Short.",
        "url": "https://news.example.org/j",
        "published": "2025-05-10",
        "outlet": "Sample Post",
        "language": "en",
        "guid": "j-1",
        "author": "Sample Author",
    }
    (entry,) = read_inbox_file(write(tmp_path / "one.json", json.dumps(record)), "inbox")
    assert (entry.title, entry.content, entry.summary) == ("Sample JSON headline", "Sample body.", "Short.")
    assert entry.published == datetime(2025, 5, 10, 12, tzinfo=UTC)  # a date alone: noon UTC, the same date from UTC-11 to UTC+11
    assert (entry.outlet, entry.guid, entry.author) == ("Sample Post", "j-1", "Sample Author")
    many = [record, {"title": "Second", "content": "<p>HTML body</p>"}, {"text": "no title"}, 7]
    result = read_inbox_file_with_problems(write(tmp_path / "many.json", json.dumps(many)), "inbox")
    assert [e.title for e in result.entries] == ["Sample JSON headline", "Second"]
    assert result.entries[1].content == "<p>HTML body</p>" and result.entries[1].outlet == "inbox"
    assert any("[2]" in p and "title" in p for p in result.problems)
    assert any("[3]" in p for p in result.problems)


def test_bad_json_raises_with_line(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.json", '{\n"title": "x",\n oops}')
    with pytest.raises(SourceError) as caught:
        read_inbox_file(path, "inbox")
    assert caught.value.kind == "bad_json" and f"{path}:3" in str(caught.value)


def test_jsonl_bad_lines_are_reported_with_numbers_and_good_lines_kept(tmp_path: Path) -> None:
    lines = [
        json.dumps({"title": "One", "text": "a"}),
        "{not json",
        "",
        json.dumps({"title": "Two", "text": "b", "published": "not a date"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"title": "Three", "extra": 1}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    result = read_inbox_file_with_problems(path, "inbox")
    assert [e.title for e in result.entries] == ["One", "Two", "Three"]
    problems = " | ".join(result.problems)
    assert f"{path}:2:" in problems and f"{path}:4:" in problems and f"{path}:5:" in problems
    assert "extra" in problems
    assert read_inbox_file(path, "inbox")[0].title == "One"  # the plain reader logs the problems


def test_a_list_or_object_where_a_string_belongs_is_reported_not_stored_as_python(tmp_path: Path) -> None:
    """A converter that writes paragraphs as a list ("text": ["..", ".."]) or a structured outlet got its Python
    spelling stored as the article's text ("['First paragraph.', ...]"), with nothing reported."""
    lines = [
        json.dumps({"title": "Paragraphs", "text": ["First paragraph.", "Second paragraph."],
                    "outlet": {"name": "Sample Post"}, "guid": 42, "url": "https://news.example.org/p"}),
        json.dumps({"title": 12345, "text": "a numeric headline"}),
    ]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    result = read_inbox_file_with_problems(path, "inbox")
    [entry] = result.entries
    assert "[" not in entry.content and "{" not in (entry.outlet or "")
    assert (entry.content, entry.outlet, entry.guid) == ("", "inbox", "42")
    problems = " | ".join(result.problems)
    assert f"{path}:1: 'text' is a JSON list, 'outlet' is a JSON object, not a string: left out" in problems
    assert f"{path}:2: 'title' is a JSON number, not a string" in problems


def test_jsonl_with_no_good_line_raises(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_inbox_file(write(tmp_path / "bad.jsonl", "{x\n{y\n"), "inbox")
    assert caught.value.kind == "bad_json" and f"{tmp_path / 'bad.jsonl'}:1" in str(caught.value)


def test_feed_documents_go_through_parse_feed(tmp_path: Path) -> None:
    entries = read_inbox_file(write(tmp_path / "feed.xml", SAMPLE_RSS), "Sample Desk")
    assert len(entries) == 2
    assert all(e.text_source == "feed" and e.source == "inbox" and e.outlet == "Sample Desk" for e in entries)
    with pytest.raises(ParseError) as caught:
        read_inbox_file(write(tmp_path / "not.rss", "<html><body>page</body></html>"), "inbox")
    assert caught.value.kind == "not_a_feed"


def test_html_entities_declared_in_the_page_are_never_resolved(tmp_path: Path) -> None:
    secret = write(tmp_path / "secret.txt", "SAMPLE-SECRET-LINE")
    page = (
        f'<!DOCTYPE html [<!ENTITY x SYSTEM "{secret.as_uri()}"><!ENTITY big "{"B" * 50}">]>\n'
        "<html><head><title>Sample &x;</title></head><body><article><p>Sample text &x; and &big;&big; "
        "with enough further words to count as the main text of this sample page.</p></article></body></html>"
    )
    (entry,) = read_inbox_file(write(tmp_path / "xxe.html", page), "inbox")
    assert "SAMPLE-SECRET" not in entry.title + entry.content
    assert "B" * 50 not in entry.content


@pytest.mark.parametrize(
    ("published", "expected", "problem"),
    [
        # West of UTC a midnight-UTC date is the day before: "2025-03-09" must stay the 9th in New York.
        ("2025-03-09", datetime(2025, 3, 9, 12, tzinfo=UTC), None),
        ("20250309", datetime(2025, 3, 9, 12, tzinfo=UTC), None),  # ISO 8601's basic form, a date alone too
        ("2025-03-09T20:00:00-04:00", datetime(2025, 3, 10, 0, tzinfo=UTC), None),
        # The feeds' rule: a date days ahead, or before 1990, is a mistake; the first-seen time stands in.
        ("2031-01-01", None, "is in the future"),
        ("1985-06-01", None, "is before 1990"),
    ],
)
def test_published_dates_fall_on_their_day_and_absurd_ones_are_refused(
    tmp_path: Path, published: str, expected: datetime | None, problem: str | None
) -> None:
    from zoneinfo import ZoneInfo

    record = {"title": "Sample headline (SAMPLE)", "text": "Sample body.", "published": published}
    result = read_inbox_file_with_problems(write(tmp_path / "a.jsonl", json.dumps(record) + "\n"), "inbox")
    (entry,) = result.entries
    assert entry.published == expected
    if expected is not None and len(published) <= 10:
        day = date.fromisoformat(published).isoformat()
        assert entry.published.astimezone(ZoneInfo("America/New_York")).date().isoformat() == day
        assert entry.published.astimezone(ZoneInfo("Asia/Kolkata")).date().isoformat() == day
    assert (problem is None and not result.problems) or any(problem in p for p in result.problems if problem)


def test_a_url_that_is_not_http_is_reported_and_left_out(tmp_path: Path) -> None:
    """A record's url that is no http(s) URL ("not a url at all", a relative path) was dropped silently: the article
    was keyed by its text and a user could not tell why its link was missing."""
    lines = [json.dumps({"title": "No link", "text": "SAMPLE text.", "url": "not a url at all"}),
             json.dumps({"title": "Relative", "text": "SAMPLE text.", "url": "/news/1"}),
             json.dumps({"title": "Fine", "text": "SAMPLE text.", "url": "https://news.example.org/1"})]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    result = read_inbox_file_with_problems(path, "inbox")
    assert [e.link for e in result.entries] == [None, None, "https://news.example.org/1"]
    problems = " | ".join(result.problems)
    assert f"{path}:1: 'url' 'not a url at all' is not an http(s) URL: left out" in problems
    assert f"{path}:2: 'url' '/news/1' is not an http(s) URL" in problems
    assert ":3:" not in problems


def test_a_front_matter_url_that_is_not_http_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", "---\ntitle: Sample headline\nurl: news/1\n---\nSAMPLE body.\n")
    result = read_inbox_file_with_problems(path, "inbox")
    assert [e.link for e in result.entries] == [None]
    assert any("'url' 'news/1' is not an http(s) URL: left out" in p for p in result.problems)


def test_a_url_given_as_a_json_number_is_reported_too(tmp_path: Path) -> None:
    """Numbers are read as their digits ("guid": 42), but "url": 42 is no URL: it was kept as "42", then dropped
    without a word when the article's URL was made canonical (the article keyed by its text)."""
    lines = [json.dumps({"title": "Sample one", "text": "SAMPLE text.", "url": 42}),
             json.dumps({"title": "Sample two", "text": "SAMPLE text.", "url": "HTTP://NEWS.EXAMPLE.ORG/2"})]
    path = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    result = read_inbox_file_with_problems(path, "inbox")
    assert [e.link for e in result.entries] == [None, "HTTP://NEWS.EXAMPLE.ORG/2"]
    assert result.problems == [f"{path}:1: 'url' '42' is not an http(s) URL: left out"]
