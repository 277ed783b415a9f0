"""Loaders for both layouts, and the errors a malformed file gives."""

import json
from pathlib import Path

import pytest

from search.evaluation.datasets import DatasetError, load_beir, load_multihop

DATA = Path(__file__).parent / "data"
MULTIHOP = DATA / "multihop"


def _write_lines(path: Path, lines: list[object]) -> Path:
    path.write_text(
        "\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n"
    )
    return path


def _question(**fields: object) -> dict[str, object]:
    return {
        "id": "q1",
        "question": "Who won?",
        "relevant": [{"article_id": "a1", "evidence_text": "United won."}],
        "relevant_article_ids": ["a1"],
        "is_null": False,
        **fields,
    }


def test_multihop_fixture_loads_and_skips_null_and_evidence_free_questions() -> None:
    dataset = load_multihop(MULTIHOP / "articles.jsonl", MULTIHOP / "queries.jsonl")
    assert dataset.kind == "multihop"
    assert [q.id for q in dataset.questions] == ["mq-1", "mq-2", "mq-3"]
    assert dataset.skipped == 2
    first = dataset.questions[0]
    assert dict(first.relevant) == {"mh-a1": 1, "mh-a2": 1}
    assert len(first.evidence) == 2 and first.evidence[0].startswith("Helio, a solar startup")
    records = [line.record for line in dataset.corpus_lines()]
    assert len(records) == 6 and records[0]["id"] == "mh-a1"


def test_multihop_relevant_ids_are_the_union_of_both_fields(tmp_path: Path) -> None:
    queries = _write_lines(tmp_path / "q.jsonl", [_question(relevant_article_ids=["a2"])])
    dataset = load_multihop(DATA / "multihop" / "articles.jsonl", queries)
    assert set(dataset.questions[0].relevant) == {"a1", "a2"}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{oops", "invalid JSON"),
        ("[1, 2]", "expected a JSON object, got list"),
        (_question(question=None), "question"),
        (_question(question="   "), "question: is blank"),
        (_question(relevant=[{"article_id": "a1"}]), "relevant.0.evidence_text"),
        (_question(relevant=[{"article_id": "a1", "evidence_text": " \n"}]), "is blank"),
        (_question(is_null="no"), "is_null"),
    ],
)
def test_malformed_question_lines_name_file_line_and_problem(
    tmp_path: Path, line: object, problem: str
) -> None:
    queries = _write_lines(tmp_path / "q.jsonl", [_question(id="ok"), "", line])
    with pytest.raises(DatasetError) as caught:
        load_multihop(DATA / "multihop" / "articles.jsonl", queries)
    assert str(caught.value).startswith(f"{queries}:3: ")
    assert problem in str(caught.value)
    assert caught.value.line == 3


def test_duplicate_question_ids_and_missing_files_are_errors(tmp_path: Path) -> None:
    queries = _write_lines(tmp_path / "q.jsonl", [_question(), _question()])
    with pytest.raises(DatasetError, match=r"q\.jsonl:2: duplicate question id"):
        load_multihop(DATA / "multihop" / "articles.jsonl", queries)
    with pytest.raises(DatasetError, match=r"missing\.jsonl: no such file"):
        load_multihop(tmp_path / "missing.jsonl", queries)
    with pytest.raises(DatasetError, match=r"missing\.jsonl: no such file"):
        load_multihop(MULTIHOP / "articles.jsonl", tmp_path / "missing.jsonl")


def test_beir_fixture_loads_judged_questions_with_grades() -> None:
    dataset = load_beir(DATA / "beir")
    assert dataset.kind == "beir"
    assert [q.id for q in dataset.questions] == ["q1", "q2", "q3"]
    assert dataset.skipped == 1  # q5 has only a score-0 judgement; q4 is judged nowhere
    assert dict(dataset.questions[0].relevant) == {"d1": 2, "d2": 1}
    assert dataset.questions[0].evidence == ()
    records = [line.record for line in dataset.corpus_lines()]
    assert records[0] == {
        "id": "d1",
        "title": "Mount Etna erupts again",
        "body": records[0]["body"],
    }
    assert records[2]["title"] == "d3"  # no title: the id, which newsdesk reads as "no headline"


def _beir(tmp_path: Path, qrels: str, corpus: list[object] | None = None) -> Path:
    (tmp_path / "qrels").mkdir(exist_ok=True)
    _write_lines(tmp_path / "queries.jsonl", [{"_id": "q1", "text": "etna"}])
    _write_lines(tmp_path / "corpus.jsonl", corpus or [{"_id": "d1", "text": "Etna erupted."}])
    (tmp_path / "qrels" / "test.tsv").write_text(qrels)
    return tmp_path


@pytest.mark.parametrize(
    ("qrels", "problem"),
    [
        ("query-id\tcorpus-id\tscore\nq1\td1\n", ":2: expected 3 tab-separated columns"),
        ("query-id\tcorpus-id\tscore\nq1\td1\thigh\n", ":2: score 'high' is not an integer"),
        ("q1\td1\t1\nq9\td1\t1\n", ":2: query-id 'q9' is not in queries.jsonl"),
    ],
)
def test_malformed_qrels_name_the_line(tmp_path: Path, qrels: str, problem: str) -> None:
    with pytest.raises(DatasetError, match=problem):
        load_beir(_beir(tmp_path, qrels))


def test_qrels_header_is_optional(tmp_path: Path) -> None:
    assert len(load_beir(_beir(tmp_path, "q1\td1\t1\n")).questions) == 1


def test_bad_corpus_lines_are_reported_not_raised(tmp_path: Path) -> None:
    corpus = [{"_id": "d1", "text": "Etna erupted."}, "{oops", {"title": "no id"}]
    lines = list(load_beir(_beir(tmp_path, "q1\td1\t1\n", corpus)).corpus_lines())
    assert [(line.line, line.problem) for line in lines] == [
        (1, None),
        (2, "invalid JSON: Expecting property name enclosed in double quotes"),
        (3, "missing '_id'"),
    ]


def test_beir_queries_must_have_text(tmp_path: Path) -> None:
    root = _beir(tmp_path, "q1\td1\t1\n")
    _write_lines(root / "queries.jsonl", [{"_id": "q1", "text": ""}])
    with pytest.raises(DatasetError, match=r"queries\.jsonl:1: 'text' is missing or blank"):
        load_beir(root)


def test_fingerprint_follows_the_corpus_bytes(tmp_path: Path) -> None:
    root = _beir(tmp_path, "q1\td1\t1\n")
    before = load_beir(root).fingerprint()
    assert load_beir(root).fingerprint() == before
    _write_lines(root / "corpus.jsonl", [{"_id": "d1", "text": "Etna erupted again."}])
    assert load_beir(root).fingerprint() != before
