"""HTML pages, RSS/Atom feeds and WARC archives become articles; broken copies become rejections.

All fixtures are fictional (tests/indexer/fixtures/README.md); outbound network is blocked by the
autouse fixture in tests/conftest.py, so any download attempt by a reader fails the test.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from indexer.readers import ReadResult, Rejection, read_bytes, read_paths
from indexer.splitting import split_passages
from search.articles import Article
from search.ids import article_id
from tests.indexer.fixtures import BROKEN, FIXTURES, NEWS
from tests.indexer.fixtures.warc import (
    BRIEF_URL,
    PAGE_URL,
    BuiltWarc,
    truncate,
    write_warc,
)

PAGE = NEWS / "harbour-tidal-array.html"
RSS = NEWS / "harbour-ledger.rss"
ATOM = NEWS / "coastal-wire.atom"
BOILERPLATE = (
    "cookies",
    "Subscribe",
    "Sport",
    "Most read",
    "Regatta",
    "Lighthouse",
    "Privacy policy",
    "All rights reserved",
    "Energy correspondent",
)


def _read(*paths: Path) -> tuple[list[Article], list[Rejection]]:
    results: list[ReadResult] = list(read_paths(paths))
    articles = [item for item in results if isinstance(item, Article)]
    rejections = [item for item in results if isinstance(item, Rejection)]
    assert len(articles) + len(rejections) == len(results)
    return articles, rejections


def _by_title(articles: list[Article]) -> dict[str, Article]:
    return {article.title: article for article in articles}


def _assert_passages(article: Article, must_contain: str) -> None:
    """Small passages so even a short story splits; offsets must cut the body exactly."""
    spans = split_passages(article.body, target_words=40, overlap_words=10)
    assert spans and spans[0].start == 0 and spans[-1].end == len(article.body)
    texts = [article.body[span.start : span.end] for span in spans]
    assert all(text == text.strip() and text for text in texts)
    assert any(must_contain in text for text in texts)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture
def warc_gz(tmp_path: Path) -> BuiltWarc:
    return write_warc(tmp_path / "crawl.warc.gz", gzip=True)


# --- HTML pages ---------------------------------------------------------------------------------


def test_an_html_page_gives_its_story_and_metadata_without_the_site_chrome() -> None:
    [article], rejections = _read(PAGE)
    assert rejections == []
    canonical = "https://news.example.org/energy/2026/03/port-merrow-tidal-array"
    assert article.title == "Tidal turbines switched on off Port Merrow"
    assert article.outlet == "The Harbour Ledger"
    assert article.url == canonical
    assert article.id == article_id(url=canonical, outlet=None, title="", body="")
    assert article.published_at == _utc(2026, 3, 2, 7, 30)  # 08:30+01:00
    assert article.author == "Ilsa Brennock"
    assert article.language == "en"  # <html lang="en-GB">: the language, not the region
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 5
    assert paragraphs[0].startswith("The first four turbines")  # the headline is the title
    assert paragraphs[-1].endswith("ferry to the Skerrin Isles.")
    assert not [phrase for phrase in BOILERPLATE if phrase in article.body]
    _assert_passages(article, "38 metres below the surface")


def test_a_page_with_no_article_text_is_rejected_with_a_reason() -> None:
    articles, [rejection] = _read(BROKEN / "app-shell.html")
    assert articles == []
    assert rejection.source.endswith("app-shell.html") and rejection.line is None
    assert rejection.reason.startswith("no article text")


def test_a_page_whose_main_text_is_a_few_words_is_rejected(tmp_path: Path) -> None:
    page = tmp_path / "stub.html"
    page.write_text(
        "<html><body><article><h1>Subscribe</h1><p>Subscribers can read this story in full."
        " Log in or subscribe to continue.</p></article></body></html>"
    )
    _, [rejection] = _read(page)
    assert rejection.reason.startswith("no article text")


# --- RSS and Atom -------------------------------------------------------------------------------


def test_rss_items_become_articles_with_full_content_and_feed_metadata() -> None:
    articles, [rejection] = _read(RSS)
    stories = _by_title(articles)
    assert set(stories) == {
        "Ferry operator orders two battery-electric boats",
        "Wind farm consultation extended by a month",
    }
    ferry = stories["Ferry operator orders two battery-electric boats"]
    # content:encoded wins over the one-line description, with its paragraphs and without its
    # script and figure caption.
    assert "180 passengers and 24 cars" in ferry.body
    assert "will go electric in 2028" not in ferry.body
    assert "trackView" not in ferry.body and "The current ferry" not in ferry.body
    assert ferry.body.count("\n\n") == 2 and "battery-electric boats from a yard" in ferry.body
    assert ferry.outlet == "The Harbour Ledger – Energy"
    assert ferry.author == "Tamsin Ockley"  # dc:creator
    assert ferry.published_at == _utc(2026, 3, 11, 7, 15)
    assert ferry.language == "en"
    assert ferry.url is not None and ferry.url.startswith("https://news.example.org/energy/")
    assert ferry.id == article_id(
        url="https://news.example.org/energy/2026/03/ferry-battery-boats",
        outlet=None,
        title="",
        body="",
    )
    wind = stories["Wind farm consultation extended by a month"]
    assert wind.body.split("\n\n") == [
        "Residents now have until 14 April to comment on plans for 18 turbines on Cairn Moor.",
        "The council said it had received more than 2,000 responses so far.",
    ]
    assert wind.author == "Ilsa Brennock"  # the name, not the e-mail address
    assert wind.published_at == _utc(2026, 3, 10, 15, 40)  # 16:40+01:00
    # The item with neither content nor description is rejected on its own.
    assert rejection.line == 3
    assert "entry 3 'Photo gallery" in rejection.reason and "no article text" in rejection.reason
    assert str(rejection).startswith(f"{RSS}:3: entry 3")
    _assert_passages(ferry, "recharge in eleven minutes")


def test_atom_entries_become_articles() -> None:
    articles, rejections = _read(ATOM)
    assert rejections == []
    stories = _by_title(articles)
    porpoises = stories["Marine institute counts more porpoises in Merrow Sound"]
    assert porpoises.outlet == "Coastal Wire"
    assert porpoises.url == "https://wire.example.com/2026/03/12/porpoise-count"
    assert porpoises.author == "Ravi Coldwater, Maud Tiernan"
    assert porpoises.published_at == _utc(2026, 3, 12, 7, 45)  # <published>, not <updated>
    assert porpoises.language == "en"  # xml:lang on <feed>
    assert porpoises.body.startswith("Researchers at the regional marine institute counted 41")
    assert "\n\n" in porpoises.body and "A survey found" not in porpoises.body
    dredging = stories["Harbour dredging contract awarded"]
    assert dredging.published_at == _utc(2026, 3, 11, 14, 20)  # only <updated>
    assert dredging.body.startswith("The harbour authority awarded a three-year dredging contract")
    assert dredging.author is None
    _assert_passages(porpoises, "one season of data")


def test_a_feed_that_is_not_well_formed_xml_is_rejected_with_where() -> None:
    articles, [rejection] = _read(BROKEN / "cut-off-feed.xml")
    assert articles == []
    assert rejection.reason.startswith("invalid XML")
    assert rejection.line == 8  # the XML parser's line: where the file stops


def test_entries_a_lenient_parse_recovers_from_malformed_xml_are_still_indexed(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "ampersand.rss"
    feed.write_text(
        '<rss version="2.0"><channel><title>Fish & Ships</title><item><title>Quay</title>'
        "<description>The new quay opened on Tuesday.</description></item></channel></rss>"
    )
    [article], rejections = _read(feed)
    assert rejections == [] and article.body == "The new quay opened on Tuesday."


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('<rss version="2.0"><channel><title>Quiet</title></channel></rss>', "no entries"),
        ('<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>', "not an RSS or Atom"),
    ],
)
def test_a_feed_without_entries_is_reported(tmp_path: Path, text: str, reason: str) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_text(text)
    _, [rejection] = _read(feed)
    assert reason in rejection.reason


# --- WARC ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_every_html_response_in_a_warc_becomes_an_article(tmp_path: Path, gzip: bool) -> None:
    built = write_warc(tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc"), gzip=gzip)
    articles, rejections = _read(built.path)
    assert rejections == []  # the request, the image and the redirect are skipped silently
    assert len(articles) == built.pages
    stories = _by_title(articles)
    page = stories["Tidal turbines switched on off Port Merrow"]
    assert page.url == PAGE_URL  # the record's target URI
    assert page.published_at == _utc(2026, 3, 2, 7, 30)  # the page's own date beats WARC-Date
    assert page.outlet == "The Harbour Ledger" and page.language == "en"
    assert not [phrase for phrase in BOILERPLATE if phrase in page.body]
    brief = stories["Skerrin ferry fares frozen for a year"]
    assert brief.url == BRIEF_URL
    assert brief.published_at == _utc(2026, 3, 13, 18, 20, 5)  # no date on the page: WARC-Date
    assert "at £42." in brief.body  # decoded with the HTTP header's ISO-8859-1
    assert "Home" not in brief.body and "fictional test page" not in brief.body
    _assert_passages(brief, "battery-electric boats")


# Record 5 is the last story; cuts inside its header take warcio down different paths (an
# exception, a silent stop), inside its payload a short read.
@pytest.mark.parametrize("keep", [10, 40, 120, 400])
@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_truncated_warc_keeps_the_records_before_the_damage(
    tmp_path: Path, gzip: bool, keep: int
) -> None:
    suffix = ".warc.gz" if gzip else ".warc"
    built = write_warc(tmp_path / f"crawl{suffix}", gzip=gzip)
    cut = truncate(built, tmp_path / f"cut{suffix}", record=5, keep=keep)
    articles, [rejection] = _read(cut)
    assert [article.url for article in articles] == [PAGE_URL]
    assert rejection.line == 6
    assert rejection.reason.startswith(f"record 6 at byte offset {built.offsets[5]}: ")
    assert "truncated" in rejection.reason or "cut off" in rejection.reason


def test_a_warc_cut_in_its_first_record_is_rejected(warc_gz: BuiltWarc, tmp_path: Path) -> None:
    cut = truncate(warc_gz, tmp_path / "stub.warc.gz", record=0, keep=20)
    articles, [rejection] = _read(cut)
    assert articles == []
    assert rejection.reason.startswith("record 1 at byte offset 0: ")


def test_a_warc_record_whose_bytes_changed_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    built = write_warc(tmp_path / "crawl.warc", gzip=False)
    data = bytearray(built.path.read_bytes())
    flipped = data.index(b"Each turbine sits 38")
    data[flipped : flipped + 4] = b"EACH"  # same length: the framing holds, the digest does not
    built.path.write_bytes(bytes(data))
    articles, [rejection] = _read(built.path)
    assert [article.url for article in articles] == [BRIEF_URL]
    assert rejection.line == 3 and "digest" in rejection.reason


# --- Picking the reader, and a whole directory --------------------------------------------------


def test_the_reader_is_picked_by_content_not_by_name(tmp_path: Path, warc_gz: BuiltWarc) -> None:
    shutil.copy(RSS, tmp_path / "feed.txt")
    shutil.copy(PAGE, tmp_path / "page.xml")
    shutil.copy(ATOM, tmp_path / "wire")  # no extension: read because it was named
    shutil.copy(warc_gz.path, tmp_path / "crawl.bin")
    named = [tmp_path / name for name in ("feed.txt", "page.xml", "wire", "crawl.bin")]
    articles, rejections = _read(*named)
    assert len(articles) == 2 + 1 + 2 + 2
    assert [r.line for r in rejections] == [3]  # the textless RSS item, as before


def test_files_newsdesk_does_not_read_are_reported_when_named(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "notes.md").write_text("# notes")
    (tmp_path / "data.json.gz").write_bytes(gzip.compress(b'{"title": "x"}'))
    _, rejections = _read(tmp_path / "notes.md", tmp_path / "data.json.gz")
    assert [r.reason for r in rejections] == [
        "unsupported file type '.md'",
        "gzip-compressed, but not a WARC archive",
    ]


def test_an_upload_is_read_by_content(warc_gz: BuiltWarc) -> None:
    """The API's ingest route has bytes and a file name, not a path."""
    results = list(read_bytes(RSS.read_bytes(), "upload.rss"))
    assert sum(isinstance(item, Article) for item in results) == 2
    results = list(read_bytes(warc_gz.path.read_bytes(), "upload"))
    assert sum(isinstance(item, Article) for item in results) == 2
    [rejection] = list(read_bytes(b"<html><body><nav>Home</nav></body></html>", "x.html"))
    assert isinstance(rejection, Rejection) and rejection.source == "x.html"


def test_a_directory_indexes_the_valid_rest_and_rejects_each_broken_copy(
    tmp_path: Path, warc_gz: BuiltWarc
) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(FIXTURES, archive, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    truncate(warc_gz, archive / "broken" / "cut.warc.gz", record=5, keep=400)
    shutil.move(warc_gz.path, archive / "news" / "crawl.warc.gz")
    articles, rejections = _read(archive)
    # page 1 + RSS 2 + Atom 2 + WARC 2 + the WARC page before the damage; README.md not read.
    assert len(articles) == 8
    assert len({article.id for article in articles}) == 7  # the page is in both WARCs
    reasons = {Path(r.source).name: r.reason for r in rejections}
    assert set(reasons) == {"app-shell.html", "cut-off-feed.xml", "cut.warc.gz", RSS.name}
    assert reasons["app-shell.html"].startswith("no article text")
    assert reasons["cut-off-feed.xml"].startswith("invalid XML")
    assert reasons["cut.warc.gz"].startswith("record 6 at byte offset")
    assert "no article text" in reasons[RSS.name]
    assert all(article.body and article.title for article in articles)
