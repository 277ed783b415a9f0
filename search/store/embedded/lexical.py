"""BM25 over pre-analysed terms with Tantivy, which scores like Lucene (as Elasticsearch does).

Terms arrive already analysed by ``search.analysis``; the field's analyzer only splits on spaces.
"""

from __future__ import annotations

import contextlib
import shutil
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import tantivy

from search.filters import SearchFilters, keyword
from search.passages import published_timestamp
from search.store.embedded.catalog import PassageRow, outlet_key

_ANALYZER = "newsdesk_whitespace"
_WRITER_HEAP_BYTES = 64_000_000
# A rewrite flushes a segment each time its writer's memory fills: 1 GB holds a million
# passages' postings in one (Tantivy caps a writer thread at 4 GB).
_REWRITE_HEAP_BYTES = 1_000_000_000


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("rowid", stored=True, indexed=True, fast=True)
    builder.add_text_field("article_id", tokenizer_name="raw", index_option="basic")
    # Positions, for phrase queries ("roughly 700 kilometres"). An index written without them
    # (an older newsdesk) no longer matches this schema: it is recreated and refilled on open.
    builder.add_text_field("terms", tokenizer_name=_ANALYZER, index_option="position")
    builder.add_text_field("outlet", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("outlet_name", tokenizer_name="raw", index_option="basic", fast=True)
    builder.add_text_field("author", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("language", tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published_ts", indexed=True, fast=True)
    return builder.build()


class LexicalIndex:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._writer: tantivy.IndexWriter | None = None
        self.recreated = False
        self._index = self._open()

    def _open(self) -> tantivy.Index:
        self._path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(_schema(), path=str(self._path), reuse=True)
        except ValueError:
            # Written by an older newsdesk with other fields: the index is derived, so start
            # over and let the store rebuild it from the catalog.
            shutil.rmtree(self._path)
            self._path.mkdir(parents=True)
            index = tantivy.Index(_schema(), path=str(self._path), reuse=True)
            self.recreated = True
        analyzer = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
        index.register_tokenizer(_ANALYZER, analyzer)
        self._schema = index.schema
        return index

    def apply(
        self, removed: Sequence[int], added: Sequence[PassageRow], *, replace: bool = False
    ) -> None:
        """Delete passages by rowid and add others, in one commit (all of it or none).

        ``replace``: delete each added rowid first, so replaying rows the index may already hold
        (committed just before a crash, before its checkpoint was recorded) never doubles them.

        The writer stays open for the next call: Tantivy merges segments in the background
        meanwhile, and ``finish`` waits for them when the run of writes ends.
        """
        with self._lock:
            if self._writer is None:
                # Tantivy allows one writer per index; the store's writer lock admits one
                # process, which keeps it until ``finish``.
                self._writer = self._index.writer(_WRITER_HEAP_BYTES, 1)
            writer = self._writer
            try:
                for rowid in [*removed, *(row.rowid for row in added if replace)]:
                    writer.delete_documents_by_term("rowid", rowid)
                for row in added:
                    writer.add_document(_document(row))
                writer.commit()
            except BaseException:
                self._writer = None  # a fresh writer next time, from the last commit
                with contextlib.suppress(Exception):
                    writer.rollback()
                raise
            self._index.reload()

    def finish(self) -> None:
        """End a run of writes: wait for the segment merges it started, release the writer."""
        with self._lock:
            writer, self._writer = self._writer, None
            if writer is not None:
                writer.wait_merging_threads()

    def rewrite(self, batches: Iterable[Sequence[PassageRow]]) -> None:
        """Replace every passage with ``batches`` in one commit, as one segment.

        Each write adds a segment and Tantivy's merge policy keeps about ten of them, so a
        search walks ten posting lists per term: after a bulk import, rewriting the index as
        one segment takes ~30 % off a search 2,000 deep (the one question-aware legs share)
        at a million passages (``benchmarks/bench_keyword_segments.py``), like
        Elasticsearch's force merge. Atomic: a failure before
        the commit leaves the index as it was.
        """
        with self._lock:
            previous, self._writer = self._writer, None
            if previous is not None:
                previous.wait_merging_threads()
            writer = self._index.writer(_REWRITE_HEAP_BYTES, 1)
            try:
                writer.delete_all_documents()
                for batch in batches:
                    for row in batch:
                        writer.add_document(_document(row))
                writer.commit()
            except BaseException:
                with contextlib.suppress(Exception):
                    writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._index.reload()

    def num_segments(self) -> int:
        return int(self._index.searcher().num_segments)

    def reset(self) -> None:
        """Start over empty (the index is derived: the store refills it from the catalog)."""
        self.finish()
        with self._lock:
            shutil.rmtree(self._path, ignore_errors=True)
            self._index = self._open()
            self.recreated = False

    def reload(self) -> None:
        self._index.reload()

    def num_docs(self) -> int:
        return int(self._index.searcher().num_docs)

    def document_frequencies(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """(live passages, passages containing each term) from the index's term statistics.

        One dictionary lookup per term, whatever the index's size (counting each term's
        postings took ~20 ms per question at a million passages). The statistics are the ones
        BM25's idf is computed from: a passage deleted since its segment was last merged is
        still counted, as it still weighs in every BM25 score.
        """
        searcher = self._index.searcher()
        documents = int(searcher.num_docs)
        return documents, {
            term: min(int(searcher.doc_freq("terms", term)), documents) for term in terms
        }

    def _query(self, terms: Sequence[str], filters: SearchFilters | None) -> tantivy.Query:
        should = [
            (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "terms", term, "freq"))
            for term in terms
        ]
        query = tantivy.Query.boolean_query(should)
        return self._filtered(query, filters)

    def _filtered(self, query: tantivy.Query, filters: SearchFilters | None) -> tantivy.Query:
        if filters and not filters.is_empty():
            query = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query), *self._filter_clauses(filters)]
            )
        return query

    def count(self, filters: SearchFilters) -> int:
        """Passages the filters admit (phrases and exclusions included)."""
        query = self._filtered(tantivy.Query.all_query(), filters)
        return int(self._index.searcher().search(query, 1, count=True).count or 0)

    def matching_rowids(self, filters: SearchFilters) -> np.ndarray:
        """Rowids of every passage the filters admit: what the dense leg may return when the
        query holds phrases or exclusions."""
        searcher = self._index.searcher()
        query = self._filtered(tantivy.Query.all_query(), filters)
        total = int(searcher.search(query, 1, count=True).count or 0)
        if not total:
            return np.zeros(0, dtype=np.uint64)
        hits = searcher.search(query, total, count=False).hits
        # From the fast field: reading each stored document costs ~3 us, ~150 ms for a phrase
        # that 50,000 passages of a million hold.
        rowids = searcher.fast_field_values("rowid", [address for _, address in hits])
        return np.asarray(rowids, dtype=np.uint64)

    def facets(
        self, terms: Sequence[str], filters: SearchFilters | None, names: Sequence[str]
    ) -> dict[str, list[tuple[str, int]]]:
        """(value, passages) buckets by outlet and by publication day over the matches."""
        if not terms or not names:
            return {name: [] for name in names}
        aggregations: dict[str, dict] = {}
        if "outlet" in names:
            aggregations["outlet"] = {"terms": {"field": "outlet_name", "size": 50}}
        if "day" in names:
            aggregations["day"] = {
                "histogram": {"field": "published_ts", "interval": 86400, "min_doc_count": 1}
            }
        result = self._index.searcher().aggregate(self._query(terms, filters), aggregations)
        facets: dict[str, list[tuple[str, int]]] = {}
        if "outlet" in names:
            facets["outlet"] = [
                (bucket["key"], bucket["doc_count"]) for bucket in result["outlet"]["buckets"]
            ]
        if "day" in names:
            facets["day"] = [
                (_day(bucket["key"]), bucket["doc_count"]) for bucket in result["day"]["buckets"]
            ]
        return facets

    def search(
        self, terms: Sequence[str], top_k: int, filters: SearchFilters | None
    ) -> list[tuple[int, float]]:
        """(rowid, BM25 score) pairs, best first."""
        if not terms:
            return []
        query = self._query(terms, filters)
        searcher = self._index.searcher()
        hits = searcher.search(query, top_k, count=False).hits
        rowids = searcher.fast_field_values("rowid", [address for _, address in hits])
        return [(int(rowid), float(score)) for (score, _), rowid in zip(hits, rowids, strict=True)]

    def _filter_clauses(self, filters: SearchFilters) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
        if filters.outlets:
            outlets = [
                (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "outlet", key))
                for key in {outlet_key(outlet) for outlet in filters.outlets}
            ]
            clauses.append((tantivy.Occur.Must, _unscored(tantivy.Query.boolean_query(outlets))))
        for field, values in (("author", filters.authors), ("language", filters.languages)):
            if values:
                allowed = [
                    (tantivy.Occur.Should, tantivy.Query.term_query(self._schema, field, key))
                    for key in {keyword(value) for value in values}
                ]
                clauses.append(
                    (tantivy.Occur.Must, _unscored(tantivy.Query.boolean_query(allowed)))
                )
        if filters.published_after or filters.published_before:
            dates = tantivy.Query.range_query(
                self._schema,
                "published_ts",
                tantivy.FieldType.Integer,
                published_timestamp(filters.published_after),
                published_timestamp(filters.published_before),
            )
            clauses.append((tantivy.Occur.Must, _unscored(dates)))
        for phrase in filters.phrases or ():
            clauses.append((tantivy.Occur.Must, _unscored(self._sequence(phrase))))
        for excluded in filters.excluded or ():
            clauses.append((tantivy.Occur.MustNot, self._sequence(excluded)))
        return clauses

    def _sequence(self, terms: Sequence[str]) -> tantivy.Query:
        """A term, or terms in this order next to each other."""
        if len(terms) == 1:
            return tantivy.Query.term_query(self._schema, "terms", terms[0])
        return tantivy.Query.phrase_query(self._schema, "terms", list(terms))


def _document(row: PassageRow) -> tantivy.Document:
    document = tantivy.Document()
    document.add_integer("rowid", row.rowid)
    document.add_text("article_id", row.article_id)
    document.add_text("terms", row.terms)
    if row.outlet_key:
        document.add_text("outlet", row.outlet_key)
    if row.outlet:
        document.add_text("outlet_name", row.outlet)
    if row.author_key:
        document.add_text("author", row.author_key)
    if row.language_key:
        document.add_text("language", row.language_key)
    if row.published_ts is not None:
        document.add_integer("published_ts", row.published_ts)
    return document


def _day(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=UTC).date().isoformat()


def _unscored(query: tantivy.Query) -> tantivy.Query:
    """A filter clause must not add to the BM25 score, as in an Elasticsearch ``filter``."""
    return tantivy.Query.const_score_query(query, 0.0)
