"""A passage's sentences with the BM25 terms each holds, read off the passage's stored terms.

The store hands back the analysed terms of every passage it returns (``meta["terms"]``, in text
order, the headline and outlet first). Counting each sentence's terms (no stemming) says where
each sentence sits in that sequence, so sentence-level evidence costs a regex pass per passage
instead of analysing every sentence again. Passages without stored terms are analysed.
"""

from __future__ import annotations

from typing import NamedTuple

from haystack import Document

from search.analysis import analyze, term_counts
from search.sentences import sentence_bounds


class SentenceTerms(NamedTuple):
    """A tuple: built for every sentence of every candidate read, per question."""

    start: int  # offsets into the passage text
    end: int
    terms: frozenset[str]


def sentence_terms(document: Document) -> tuple[SentenceTerms, ...]:
    text = document.content or ""
    bounds = sentence_bounds(text)
    stored = document.meta.get("terms")
    if isinstance(stored, str):
        terms = stored.split()
        counts = term_counts(text, bounds)
        at = len(terms) - sum(counts)  # the headline and outlet come first
        if at >= 0:
            found = []
            for (start, end), count in zip(bounds, counts, strict=True):
                found.append(SentenceTerms(start, end, frozenset(terms[at : at + count])))
                at += count
            return tuple(found)
    return tuple(
        SentenceTerms(start, end, frozenset(analyze(text[start:end]))) for start, end in bounds
    )
