"""A passage's sentences with the BM25 terms each holds, read off the passage's stored terms.

The store hands back the analysed terms of every passage it returns (``meta["terms"]``, in text
order, the headline and outlet first). Counting each sentence's terms (no stemming) says where
each sentence sits in that sequence, so sentence-level evidence costs a regex pass per passage
instead of analysing every sentence again. Passages without stored terms are analysed.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from haystack import Document

from search.analysis import analyze, term_offsets
from search.sentences import Span, sentence_spans


@dataclass(frozen=True)
class SentenceTerms:
    start: int  # offsets into the passage text
    end: int
    terms: frozenset[str]


def _counts(text: str, spans: list[Span]) -> list[int]:
    """Terms per sentence, in one pass over the text."""
    ends = [span.end for span in spans]
    counts = [0] * len(spans)
    for at in term_offsets(text):
        sentence = bisect_right(ends, at)
        if sentence < len(counts):
            counts[sentence] += 1
    return counts


def sentence_terms(document: Document) -> tuple[SentenceTerms, ...]:
    text = document.content or ""
    spans = sentence_spans(text)
    stored = document.meta.get("terms")
    if isinstance(stored, str):
        terms = stored.split()
        counts = _counts(text, spans)
        at = len(terms) - sum(counts)  # the headline and outlet come first
        if at >= 0:
            found = []
            for span, count in zip(spans, counts, strict=True):
                found.append(SentenceTerms(span.start, span.end, frozenset(terms[at : at + count])))
                at += count
            return tuple(found)
    return tuple(
        SentenceTerms(span.start, span.end, frozenset(analyze(text[span.start : span.end])))
        for span in spans
    )
