"""The corpora of ``bench_indexing``: MultiHop-RAG articles and SciFact abstracts, whole or cut to
their first N documents (then only the questions answerable from what is kept are asked)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

from search.evaluation.datasets import EvalDataset, load_beir, load_multihop

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@dataclass(frozen=True)
class BenchCorpus:
    """``articles``: newsdesk JSONL for ``newsdesk index``; ``dataset``: the same documents and
    their questions for ``run_evaluation``."""

    name: str
    articles: Path
    dataset: EvalDataset


def _first_lines(source: Path, target: Path, limit: int | None) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as lines, target.open("wb") as out:
        out.writelines(islice((line for line in lines if line.strip()), limit))


def _answerable(
    dataset: EvalDataset, kept: set[str], cut: bool, questions: int | None
) -> EvalDataset:
    chosen = [q for q in dataset.questions if not cut or set(q.relevant) <= kept]
    return replace(dataset, questions=chosen[:questions] if questions else chosen)


def multihop(
    target: Path, articles: int | None, questions: int | None, source: Path | None = None
) -> BenchCorpus:
    """The dev questions over the first ``articles`` articles (all 609 when None)."""
    source = source or SHARED / "multihop-rag"
    corpus = target / "articles.jsonl"
    _first_lines(source / "articles.jsonl", corpus, articles)
    dataset = load_multihop(corpus, source / "queries_dev.jsonl")
    ids = {json.loads(line)["id"] for line in corpus.open("rb")}
    chosen = _answerable(dataset, ids, articles is not None, questions)
    return BenchCorpus("multihop", corpus, chosen)


def scifact(
    target: Path, documents: int | None, questions: int | None, source: Path | None = None
) -> BenchCorpus:
    """The train claims over the first ``documents`` abstracts (all 5,183 when None)."""
    source = source or SHARED / "scifact-train"
    corpus = target / "corpus.jsonl"
    _first_lines(source / "corpus.jsonl", corpus, documents)
    dataset = replace(load_beir(source, "train"), corpus=corpus)
    # The same records newsdesk eval indexes, as a file `newsdesk index` reads.
    articles = target / "articles.jsonl"
    ids: set[str] = set()
    with articles.open("w", encoding="utf-8") as out:
        for line in dataset.corpus_lines():
            if line.record is not None:
                ids.add(str(line.record["id"]))
                out.write(json.dumps(line.record) + "\n")
    chosen = _answerable(dataset, ids, documents is not None, questions)
    return BenchCorpus("scifact", articles, chosen)
