import json
from pathlib import Path

from indexer.readers import Rejection, count_records, read_paths
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


def test_a_text_file_uses_its_name_as_id_and_title(seeds: Path) -> None:
    articles = [r for r in read_paths([seeds]) if isinstance(r, Article)]
    assert sorted(a.id for a in articles) == [
        "000_7e857b61716c692e",
        "001_cedfc133291ea160",
        "002_1062b9361ec377fa",
    ]
    assert all(a.title == a.id and a.outlet is None for a in articles)


def test_a_directory_skips_files_it_does_not_read_and_reports_bad_text(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# not an article")
    (tmp_path / "good.txt").write_text("A short report.")
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    (tmp_path / "empty.txt").write_text("   ")
    results = list(read_paths([tmp_path, tmp_path / "missing.jsonl"]))
    assert [r.id for r in results if isinstance(r, Article)] == ["good"]
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
