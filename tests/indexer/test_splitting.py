import itertools
from pathlib import Path

import pytest

from indexer.cleaning import clean_text
from indexer.splitting import sentence_spans, split_passages


def test_sentences_keep_abbreviations_initials_and_decimals_together() -> None:
    text = (
        'Mr. Smith met U.S. officials at 3 p.m. Friday. He said "yes." J. K. Rowling left! 2.7 m.'
    )
    sentences = [text[span.start : span.end] for span in sentence_spans(text)]
    assert sentences == [
        "Mr. Smith met U.S. officials at 3 p.m. Friday.",
        'He said "yes."',
        "J. K. Rowling left!",
        "2.7 m.",
    ]


def test_a_line_break_ends_a_sentence() -> None:
    text = "Missile Fired Amid Diplomatic Uncertainty\nSouth Korea said so."
    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "Missile Fired Amid Diplomatic Uncertainty",
        "South Korea said so.",
    ]


@pytest.mark.parametrize("target,overlap", [(40, 0), (60, 15), (160, 30), (1000, 0)])
def test_passages_cover_the_body_in_order_with_exact_offsets(
    seeds: Path, target: int, overlap: int
) -> None:
    body = clean_text((seeds / "000_7e857b61716c692e.txt").read_text())
    passages = split_passages(body, target, overlap)
    assert passages[0].start == 0
    assert passages[-1].end == len(body)
    for before, after in itertools.pairwise(passages):
        assert before.start < after.start <= before.end + 1  # no gap a sentence could fall into
    for passage in passages:
        text = body[passage.start : passage.end]
        assert text == text.strip()
        assert passage.words == len(text.split())


def test_passages_respect_the_target_size_and_overlap() -> None:
    body = " ".join(f"Sentence number {i} has exactly seven words." for i in range(60))
    passages = split_passages(body, target_words=70, overlap_words=14)
    assert all(passage.words <= 70 * 1.25 for passage in passages)
    shared = [
        len(body[after.start : before.end].split())
        for before, after in itertools.pairwise(passages)
    ]
    assert all(0 < words <= 14 for words in shared)


def test_a_run_on_sentence_longer_than_a_passage_is_cut_at_words() -> None:
    body = " ".join(["word"] * 500)
    passages = split_passages(body, target_words=100, overlap_words=0)
    assert len(passages) == 5
    assert all(passage.words == 100 for passage in passages)


def test_a_short_tail_joins_the_previous_passage() -> None:
    body = "One two three four five six seven eight nine ten. Eleven twelve."
    assert len(split_passages(body, target_words=10, overlap_words=0)) == 1
