import json
from pathlib import Path

from indexer.readers import Rejection, count_records, read_bytes, read_paths
from search.articles import Article


def _write_jsonl(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


GOOD = {
    "title": "Bridge reopens",
    "source": "Courier",
    "url": "https://example.org/a?utm_source=x",
    "published_at": "2026-03-02T08:30:00Z",
    "author": "Mara Quill",
    "body": "The bridge reopened.\n\n\nTraffic flows again.",
}


def test_a_jsonl_record_becomes_an_article_with_cleaned_body_and_metadata(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "a.jsonl", [json.dumps(GOOD).encode()])
    [article] = list(read_paths([path]))
    assert isinstance(article, Article)
    assert article.outlet == "Courier"
    assert article.body == "The bridge reopened.\n\nTraffic flows again."
    assert article.published_at is not None and article.published_at.isoformat().endswith("+00:00")
    assert article.id.startswith("a-")


def test_the_id_is_stable_and_ignores_tracking_parameters(tmp_path: Path) -> None:
    other = dict(GOOD, url="https://EXAMPLE.org/a/")
    path = _write_jsonl(
        tmp_path / "a.jsonl", [json.dumps(GOOD).encode(), json.dumps(other).encode()]
    )
    first, second = list(read_paths([path]))
    assert isinstance(first, Article) and isinstance(second, Article)
    assert first.id == second.id


def test_bad_records_are_rejected_with_line_and_reason_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        json.dumps(GOOD).encode(),
        b"{not json",
        json.dumps({"title": "empty"}).encode(),
        json.dumps(dict(GOOD, title=["a", "list"])).encode(),
        b'{"body": "caf\xe9"}',
        json.dumps(dict(GOOD, published_at="last Tuesday")).encode(),
        b"[1, 2]",
        json.dumps(dict(GOOD, url="https://example.org/b", text="x", body=None)).encode(),
    ]
    results = list(read_paths([_write_jsonl(tmp_path / "mixed.jsonl", lines)]))
    rejections = {r.line: r.reason for r in results if isinstance(r, Rejection)}
    assert [type(r).__name__ for r in results].count("Article") == 2
    assert "invalid JSON" in rejections[2]
    assert "no article text" in rejections[3]
    assert "title" in rejections[4]
    assert "UTF-8" in rejections[5]
    assert "published_at" in rejections[6]
    assert "JSON object" in rejections[7]
    assert all(str(tmp_path / "mixed.jsonl") in str(r) for r in results if isinstance(r, Rejection))


def test_a_text_file_is_titled_by_its_name_and_identified_by_its_path(seeds: Path) -> None:
    articles = [r for r in read_paths([seeds]) if isinstance(r, Article)]
    assert sorted(a.title for a in articles) == [
        "000_7e857b61716c692e",
        "001_cedfc133291ea160",
        "002_1062b9361ec377fa",
    ]
    assert all(a.id.startswith("txt-") and a.outlet is None for a in articles)
    assert [a.id for a in articles] == [
        a.id for a in read_paths([seeds.parent / ".." / "data" / "seeds"]) if isinstance(a, Article)
    ]  # the same folder, however it is named, gives the same ids
    single = [r for r in read_paths([seeds / "000_7e857b61716c692e.txt"]) if isinstance(r, Article)]
    assert single[0].id == articles[0].id  # one file alone: as when its folder is indexed


def test_text_files_of_the_same_name_in_two_folders_are_two_articles(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for year, text in (("2023", "The old story."), ("2024", "The new story.")):
        (archive / year).mkdir(parents=True)
        (archive / year / "story.txt").write_text(text)
    stories = [r for r in read_paths([archive]) if isinstance(r, Article)]
    assert [story.title for story in stories] == ["story", "story"]
    assert len({story.id for story in stories}) == 2
    by_year = [
        r for r in read_paths([archive / "2023", archive / "2024"]) if isinstance(r, Article)
    ]
    assert len({story.id for story in by_year}) == 2
    again = [r for r in read_paths([archive]) if isinstance(r, Article)]
    assert [story.id for story in again] == [story.id for story in stories]


def test_two_uploads_of_the_same_name_are_two_articles() -> None:
    first, second, repeated = (
        next(iter(read_bytes(text, "report.txt")))
        for text in (b"The first report.", b"The second report.", b"The first report.")
    )
    assert isinstance(first, Article) and isinstance(second, Article)
    assert isinstance(repeated, Article)
    assert first.title == second.title == "report"
    assert first.id != second.id and repeated.id == first.id


def test_a_directory_skips_files_it_does_not_read_and_reports_bad_text(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not an article")
    (tmp_path / "good.txt").write_text("A short report.")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    (tmp_path / "empty.txt").write_text("   ")
    results = list(read_paths([tmp_path, tmp_path / "missing.jsonl"]))
    assert [r.title for r in results if isinstance(r, Article)] == ["good"]
    reasons = sorted(r.reason for r in results if isinstance(r, Rejection))
    assert reasons == [
        "no article text: the file is empty",
        "no such file or directory",
        "not valid UTF-8 (invalid start byte)",
    ]


def test_records_are_counted_ahead_for_the_progress_bar(tmp_path: Path) -> None:
    _write_jsonl(tmp_path / "a.jsonl", [json.dumps(GOOD).encode(), b"", b"{broken"])
    (tmp_path / "b.txt").write_text("A plain article.")
    (tmp_path / "README.md").write_text("not news")
    assert count_records([tmp_path, tmp_path / "missing.jsonl"]) == 4
    assert len(list(read_paths([tmp_path, tmp_path / "missing.jsonl"]))) == 4
    (tmp_path / "c.xml").write_text('<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    assert count_records([tmp_path]) is None  # a feed holds any number of articles
