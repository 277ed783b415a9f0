"""Sentence-aware passage splitting that records where each passage sits in the article body."""

from __future__ import annotations

from search.sentences import Span, sentence_spans

__all__ = ["Span", "sentence_spans", "split_passages"]


def split_passages(text: str, target_words: int, overlap_words: int) -> list[Span]:
    """Whole sentences packed up to ``target_words``, consecutive passages sharing up to
    ``overlap_words`` of trailing sentences; a short tail joins the passage before it."""
    sentences = sentence_spans(text, max_words=target_words)
    passages: list[Span] = []
    first = 0
    while first < len(sentences):
        last, words = first, 0
        while last < len(sentences) and (
            words == 0 or words + sentences[last].words <= target_words
        ):
            words += sentences[last].words
            last += 1
        remaining = sum(span.words for span in sentences[last:])
        if remaining and words + remaining <= target_words * 1.25:
            words += remaining
            last = len(sentences)
        passages.append(Span(sentences[first].start, sentences[last - 1].end, words))
        if last >= len(sentences):
            break
        back, shared = last, 0
        while back - 1 > first and shared + sentences[back - 1].words <= overlap_words:
            back -= 1
            shared += sentences[back].words
        first = back
    return passages
