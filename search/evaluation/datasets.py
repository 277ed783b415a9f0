"""Labelled evaluation sets: MultiHop-RAG's JSONL layout and the standard BEIR layout.

Both load into one shape: questions with their relevant article ids (and, for MultiHop-RAG, the
evidence texts the strict metrics look for), plus a corpus read line by line into newsdesk
article records. Malformed question or judgement files raise ``DatasetError`` naming the file,
the line and the problem; a malformed corpus line is handed on as a problem, so the indexer can
reject it like any bad article.

Usage:
    dataset = load_multihop(Path("articles.jsonl"), Path("queries_dev.jsonl"))
    dataset = load_beir(Path("scifact/"))
    print(len(dataset.questions), dataset.skipped)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from search.errors import NewsdeskError
from search.evaluation.metrics import squeeze

DatasetKind = Literal["multihop", "beir"]
CorpusRecord = dict[str, object]


class DatasetError(NewsdeskError):
    """A question or judgement file cannot be read: says which file, which line and why."""

    def __init__(self, path: Path, line: int | None, problem: str) -> None:
        self.path, self.line, self.problem = path, line, problem
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True)
class EvalQuestion:
    """One question: ``relevant`` maps article ids to grades (> 0); ``evidence`` may be empty."""

    id: str
    text: str
    relevant: Mapping[str, int]
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorpusLine:
    """One corpus line: a newsdesk article record, or the problem that stopped it."""

    line: int
    record: CorpusRecord | None
    problem: str | None = None


@dataclass(frozen=True)
class EvalDataset:
    kind: DatasetKind
    corpus: Path
    questions: list[EvalQuestion]
    skipped: int = 0
    # Maps one corpus JSON object to a newsdesk article record; raises ValueError when it can't.
    to_record: Callable[[dict[str, Any]], CorpusRecord] = field(default=dict, repr=False)

    def corpus_lines(self) -> Iterator[CorpusLine]:
        """The corpus as newsdesk article records, in file order."""
        with self.corpus.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                try:
                    data = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError as error:
                    yield CorpusLine(number, None, f"not valid UTF-8 ({error.reason})")
                    continue
                except json.JSONDecodeError as error:
                    yield CorpusLine(number, None, f"invalid JSON: {error.msg}")
                    continue
                if not isinstance(data, dict):
                    yield CorpusLine(number, None, "expected a JSON object")
                    continue
                try:
                    yield CorpusLine(number, self.to_record(data))
                except ValueError as error:
                    yield CorpusLine(number, None, str(error))

    def fingerprint(self) -> str:
        """Changes whenever the corpus file's bytes do (indexes are keyed by it)."""
        digest = hashlib.sha1(self.kind.encode())
        with self.corpus.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        return digest.hexdigest()


def _require_file(path: Path) -> Path:
    if not path.is_file():
        raise DatasetError(path, None, "no such file")
    return path


def _json_objects(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; anything else is a DatasetError."""
    with _require_file(path).open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                data = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise DatasetError(path, number, f"not valid UTF-8 ({error.reason})") from None
            except json.JSONDecodeError as error:
                raise DatasetError(path, number, f"invalid JSON: {error.msg}") from None
            if not isinstance(data, dict):
                kind = type(data).__name__
                raise DatasetError(path, number, f"expected a JSON object, got {kind}")
            yield number, data


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or 'record'}: {item['msg']}"
        for item in error.errors()
    )


# -- MultiHop-RAG ---------------------------------------------------------------------------------


class _Evidence(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    article_id: str = Field(min_length=1)
    evidence_text: str


class _MultiHopQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True)

    id: str | None = None
    question: str
    relevant: list[_Evidence] = Field(default_factory=list)
    relevant_article_ids: list[str] = Field(default_factory=list)
    is_null: bool = False


def _multihop_question(path: Path, number: int, data: dict[str, Any]) -> EvalQuestion | None:
    """The question on one line, or None when it is a null query or has no evidence."""
    try:
        query = _MultiHopQuery.model_validate(data)
    except ValidationError as error:
        raise DatasetError(path, number, _describe(error)) from None
    if not query.question.strip():
        raise DatasetError(path, number, "question: is blank")
    for index, item in enumerate(query.relevant):
        if not squeeze(item.evidence_text):
            raise DatasetError(path, number, f"relevant.{index}.evidence_text: is blank")
    if query.is_null or not query.relevant:
        return None
    article_ids = [*query.relevant_article_ids, *(item.article_id for item in query.relevant)]
    return EvalQuestion(
        id=query.id or f"line-{number}",
        text=query.question.strip(),
        relevant=dict.fromkeys(article_ids, 1),
        evidence=tuple(item.evidence_text for item in query.relevant),
    )


def load_multihop(articles: Path, queries: Path) -> EvalDataset:
    """MultiHop-RAG: articles in newsdesk's JSONL shape, one question object per line.

    Null queries (``is_null``) and questions without evidence are skipped and counted.
    """
    _require_file(articles)
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    skipped = 0
    for number, data in _json_objects(queries):
        question = _multihop_question(queries, number, data)
        if question is None:
            skipped += 1
            continue
        if question.id in seen:
            raise DatasetError(queries, number, f"duplicate question id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return EvalDataset("multihop", articles, questions, skipped)


# -- BEIR -----------------------------------------------------------------------------------------


def _beir_record(data: dict[str, Any]) -> CorpusRecord:
    doc_id = data.get("_id")
    if not isinstance(doc_id, str | int) or not str(doc_id).strip():
        raise ValueError("missing '_id'")
    doc_id = str(doc_id).strip()
    title = data.get("title")
    # Many BEIR documents have no title. The id as title means "no headline" to newsdesk
    # (nothing is prepended to the passage), where its fallback would repeat the first line.
    title = title.strip() if isinstance(title, str) and title.strip() else doc_id
    return {"id": doc_id, "title": title, "body": data.get("text")}


def _beir_queries(path: Path) -> dict[str, str]:
    texts: dict[str, str] = {}
    for number, data in _json_objects(path):
        query_id, text = data.get("_id"), data.get("text")
        if not isinstance(query_id, str | int) or not str(query_id).strip():
            raise DatasetError(path, number, "missing '_id'")
        if not isinstance(text, str) or not text.strip():
            raise DatasetError(path, number, "'text' is missing or blank")
        texts[str(query_id).strip()] = text.strip()
    return texts


def _beir_qrels(path: Path, known: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """query id -> {corpus id: score}, in file order; the header line is optional."""
    qrels: dict[str, dict[str, int]] = {}
    with _require_file(path).open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            columns = line.rstrip("\n").split("\t")
            if len(columns) != 3:
                problem = "expected 3 tab-separated columns (query-id, corpus-id, score)"
                raise DatasetError(path, number, f"{problem}, got {len(columns)}")
            query_id, doc_id, score = (column.strip() for column in columns)
            try:
                grade = int(score)
            except ValueError:
                if number == 1:
                    continue  # the header: query-id corpus-id score
                raise DatasetError(path, number, f"score {score!r} is not an integer") from None
            if query_id not in known:
                raise DatasetError(path, number, f"query-id {query_id!r} is not in queries.jsonl")
            qrels.setdefault(query_id, {})[doc_id] = grade
    return qrels


def load_beir(directory: Path, split: str = "test") -> EvalDataset:
    """BEIR: ``corpus.jsonl`` (_id, title, text), ``queries.jsonl`` (_id, text) and
    ``qrels/<split>.tsv``. Questions are those judged in the split, in queries.jsonl order;
    those with no positive judgement are skipped and counted."""
    texts = _beir_queries(directory / "queries.jsonl")
    qrels = _beir_qrels(directory / "qrels" / f"{split}.tsv", texts)
    questions = [
        EvalQuestion(id=query_id, text=text, relevant=relevant)
        for query_id, text in texts.items()
        if (relevant := {doc: grade for doc, grade in qrels.get(query_id, {}).items() if grade > 0})
    ]
    evaluated = {question.id for question in questions}
    skipped = sum(1 for query_id in qrels if query_id not in evaluated)
    return EvalDataset(
        "beir", _require_file(directory / "corpus.jsonl"), questions, skipped, _beir_record
    )


# -- A dataset folder, either layout ---------------------------------------------------------------


def load_folder(spec: str) -> EvalDataset:
    """``DIR`` or ``DIR@SPLIT``: a BEIR folder (``corpus.jsonl``, ``queries.jsonl``, ``qrels/``)
    or a MultiHop-RAG folder (``articles.jsonl`` and ``queries_<split>.jsonl``). Without a split,
    the folder's only judgement or question file is used, else BEIR's ``test`` / MultiHop's
    ``dev``."""
    folder, _, split = spec.partition("@")
    directory = Path(folder)
    if (directory / "corpus.jsonl").is_file():
        judged = sorted(p.stem for p in (directory / "qrels").glob("*.tsv"))
        return load_beir(directory, split or (judged[0] if len(judged) == 1 else "test"))
    if (directory / "articles.jsonl").is_file():
        asked = sorted(p.stem.removeprefix("queries_") for p in directory.glob("queries_*.jsonl"))
        chosen = split or (asked[0] if len(asked) == 1 else "dev")
        return load_multihop(directory / "articles.jsonl", directory / f"queries_{chosen}.jsonl")
    raise DatasetError(
        directory, None, "not a dataset folder: expected corpus.jsonl (BEIR) or articles.jsonl"
    )
