"""A passage's sentences with the BM25 terms each holds, read off the passage's stored terms.

The store hands back the analysed terms of every passage it returns (``meta["terms"]``, in text
order, the headline and outlet first). Counting each sentence's terms (no stemming) says where
each sentence sits in that sequence, so sentence-level evidence costs a regex pass per passage
instead of analysing every sentence again. Passages without stored terms are analysed.

The second stage reads ~50 passages per question and needs only which sentence each of the
question's terms falls in; the highlight reads the sentences of the ~10 hits shown. So the
sentences themselves (trimmed, with their term sets) are built only when asked for. Where each
sentence ends and how many terms it holds is stored with the passage when it is indexed
(``search.sentence_layout``); older passages are split here.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Sequence
from functools import cached_property
from itertools import accumulate, pairwise
from typing import NamedTuple, overload

from haystack import Document

from search.analysis import analyze
from search.coverage import QuestionShares
from search.sentence_layout import passage_ends, read_layout, sentence_counts
from search.sentences import trimmed


class SentenceTerms(NamedTuple):
    start: int  # offsets into the passage text
    end: int
    terms: frozenset[str]


class PassageSentences(Sequence[SentenceTerms]):
    """The sentences of one passage: piece ``i`` of its text (``text[ends[i-1]:ends[i]]``, a
    sentence with the white space before it, or blank) holds ``terms[firsts[i]:firsts[i+1]]``."""

    def __init__(
        self, text: str, ends: Sequence[int], terms: Sequence[str], counts: Sequence[int]
    ) -> None:
        self.text = text
        self.ends = ends
        self.terms = terms
        # The terms before the first sentence are the headline's and the outlet's.
        self.firsts = list(accumulate(counts, initial=len(terms) - sum(counts)))

    def best_share(self, share: QuestionShares, positions: Sequence[int] | None = None) -> float:
        """The largest share of the question one sentence holds. ``positions``: where the
        question's terms sit in ``terms``, if known."""
        if not share.positive:  # a sentence without the question's terms may then hold the most
            return max((share(sentence.terms) for sentence in self), default=0.0)
        if positions is None:
            positions = [at for at, term in enumerate(self.terms) if term in share.terms]
        held: dict[int, set[str]] = {}
        body = self.firsts[0]
        for at in positions:
            if at >= body:
                held.setdefault(bisect_right(self.firsts, at), set()).add(self.terms[at])
        # Every share is positive: sentences holding none of the question's terms (0.0) never
        # hold the most, unless no sentence holds any.
        return max(map(share, held.values()), default=0.0)

    @cached_property
    def _sentences(self) -> tuple[SentenceTerms, ...]:
        found = []
        for (start, end), (first, last) in zip(
            pairwise([0, *self.ends]), pairwise(self.firsts), strict=True
        ):
            start, end = trimmed(self.text, start, end)
            if start < end:
                found.append(SentenceTerms(start, end, frozenset(self.terms[first:last])))
        return tuple(found)

    @overload
    def __getitem__(self, index: int) -> SentenceTerms: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[SentenceTerms]: ...
    def __getitem__(self, index: int | slice) -> SentenceTerms | Sequence[SentenceTerms]:
        return self._sentences[index]

    def __len__(self) -> int:
        return len(self._sentences)

    def __iter__(self) -> Iterator[SentenceTerms]:
        return iter(self._sentences)


def read_sentences(document: Document, terms: Sequence[str] | None = None) -> PassageSentences:
    """``terms``: the passage's stored terms, when already split. The sentence layout the store
    kept with the passage (``search.sentence_layout``) saves splitting and counting, when valid."""
    text = document.content or ""
    layout = read_layout(document.meta.get("sentence_layout"), text)
    ends = passage_ends(text) if layout is None else layout[0]
    stored = document.meta.get("terms")
    if terms is None and isinstance(stored, str):
        terms = stored.split()
    if terms is not None:
        counts = sentence_counts(text, ends) if layout is None else layout[1]
        if sum(counts) <= len(terms):
            return PassageSentences(text, ends, terms, counts)
    pieces = [analyze(text[start:end]) for start, end in pairwise([0, *ends])]
    return PassageSentences(
        text, ends, [term for piece in pieces for term in piece], [len(piece) for piece in pieces]
    )
