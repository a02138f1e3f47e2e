"""Small SAMPLE feeds written for the tests (invented text, no real quotes)."""

from __future__ import annotations

SAMPLE_RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Sample Wire (sample data)</title>
  <link>https://news.example.org/</link>
  <language>en-GB</language>
  <item>
    <title>Sample: ministers meet to discuss border talks</title>
    <link>/world/sample-talks?utm_source=rss&amp;id=7</link>
    <guid isPermaLink="false">sample-1</guid>
    <pubDate>Sat, 10 May 2025 08:30:00 GMT</pubDate>
    <description>&lt;p&gt;Short &lt;b&gt;teaser&lt;/b&gt;.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>First paragraph of the sample body.</p><p>Second paragraph.</p><script>alert(1)</script>]]></content:encoded>
  </item>
  <item>
    <title>Sample: second item without a date</title>
    <link>https://news.example.org/world/second</link>
    <description>Plain description of the second sample item.</description>
  </item>
</channel>
</rss>
"""

SAMPLE_ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Sample Atom (sample data)</title>
  <id>urn:sample:feed</id>
  <updated>2025-05-10T09:00:00Z</updated>
  <entry>
    <title>Sample atom entry</title>
    <id>urn:sample:entry:1</id>
    <link href="https://news.example.org/a/1"/>
    <updated>2025-05-10T09:00:00Z</updated>
    <summary>Atom summary text.</summary>
  </entry>
</feed>
"""

SAMPLE_HTML_PAGE = b"""<!DOCTYPE html>
<html><head><title>Sample News - Home</title></head>
<body><h1>Welcome to Sample News</h1><p>This is a web page, not a feed.</p></body></html>
"""


def cyrillic_rss(declared: str | None) -> bytes:
    """A windows-1251 SAMPLE feed, declared as `declared` (None: no encoding declaration)."""
    decl = f' encoding="{declared}"' if declared else ""
    text = (
        f'<?xml version="1.0"{decl}?>\n<rss version="2.0"><channel><title>Пример ленты</title>'
        "<link>http://news.example.org/</link>"
        "<item><title>Министр иностранных дел встретился с послом</title>"
        "<link>http://news.example.org/ru/1</link>"
        "<description>Стороны обсудили двусторонние отношения и торговлю.</description></item>"
        "</channel></rss>"
    )
    return text.encode("cp1251")
