"""``newsdesk eval`` end to end on the tiny fixtures, with the real MiniLM (loaded once).

The MultiHop fixture's BBC body breaks a line inside an evidence sentence that the question file
spells with a space: the strict rule must still count it.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner, Result

import api.eval_command as eval_module
from api.eval_command import eval_command
from search.embedding import Embedder
from search.settings import get_settings

DATA = Path(__file__).parent / "data"
BEIR = ["--beir", str(DATA / "beir")]
MULTIHOP = [
    "--articles",
    str(DATA / "multihop" / "articles.jsonl"),
    "--queries",
    str(DATA / "multihop" / "queries.jsonl"),
]
MULTIHOP_METRICS = ["hits@4", "hits@10", "mrr@10", "ndcg@10", "recall@10", "recall@20"]


@pytest.fixture
def embedded_texts(embedder: Embedder, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every passage text the command embeds; the command gets the session's model."""
    texts: list[str] = []
    embed = embedder.embed_passages

    def counting(batch: list[str], **options: bool) -> np.ndarray:
        texts.extend(batch)
        return embed(batch, **options)

    monkeypatch.setattr(embedder, "embed_passages", counting)
    monkeypatch.setattr(eval_module, "load_embedder", lambda settings: embedder)
    for name in ("NEWSDESK_DATA_DIR", "NEWSDESK_STORE"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield texts
    get_settings.cache_clear()


def invoke(*args: str) -> Result:
    """Registered the way the CLI registers it: ``app.command("eval")(eval_command)``."""
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command("eval")(eval_command)
    return CliRunner().invoke(app, ["eval", *args])


def as_json(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_beir_json_reports_ndcg_and_recall_per_mode(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    report = as_json(invoke(*BEIR, "--index-dir", str(tmp_path), "--json", "--quiet"))
    assert set(report) == {
        "bm25",
        "dense",
        "hybrid",
        "dataset",
        "questions",
        "skipped",
        "index",
        "settings",
    }
    assert report["dataset"] == "beir" and report["questions"] == 3 and report["skipped"] == 1
    for mode in ("bm25", "dense", "hybrid"):
        assert list(report[mode]) == ["ndcg@10", "recall@100", "latency_p50_ms", "latency_p95_ms"]
        assert report[mode]["recall@100"] == 1.0  # six documents: everything relevant is found
    assert report["hybrid"]["ndcg@10"] > 0.8  # three unambiguous questions
    assert report["settings"]["depth"] == 100
    assert report["index"]["indexed"] == 6 and report["index"]["rejected"] == 0


def test_multihop_json_has_the_strict_and_article_metrics(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    result = invoke(*MULTIHOP, "--index-dir", str(tmp_path), "--json", "--mode", "hybrid")
    report = as_json(result)
    assert "querying hybrid" in result.stderr  # the progress bars go to stderr
    assert set(report) - {"dataset", "questions", "skipped", "index", "settings"} == {"hybrid"}
    scores = report["hybrid"]
    assert list(scores)[:6] == MULTIHOP_METRICS
    assert report["questions"] == 3 and report["skipped"] == 2
    # Six short articles, one passage each: every question's evidence is in its top 10,
    # the BBC sentence split by a line break included.
    assert scores["hits@10"] == 1.0 and scores["recall@20"] == 1.0
    assert 0 < scores["mrr@10"] <= 1 and scores["hits@4"] <= scores["hits@10"]
    assert report["settings"]["retrieval"]["rrf_k"] == get_settings().retrieval.rrf_k


def test_text_table_and_knobs_reach_the_retriever_and_splitter(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    result = invoke(
        *MULTIHOP,
        "--quiet",
        "--limit", "2",
        "--rrf-k", "60",
        "--bm25-weight", "1",
        "--dense-weight", "3",
        "--fusion", "weighted",
        "--no-group",
        "--passage-words", "40",
        "--overlap-words", "0",
        "--index-dir", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("index: read 6, indexed 6, unchanged 0, rejected 0")
    assert lines[1].startswith("MultiHop-RAG format: 2 questions (2 skipped), 20 passages")
    assert lines[2].split()[:7] == ["mode", *MULTIHOP_METRICS]
    assert [line.split()[0] for line in lines[3:]] == ["bm25", "dense", "hybrid"]

    report = as_json(invoke(*MULTIHOP, "-q", "--json", "--passage-words", "40",
                            "--overlap-words", "0", "--fusion", "weighted", "--rrf-k", "60",
                            "--bm25-weight", "1", "--dense-weight", "3", "--no-group",
                            "--index-dir", str(tmp_path)))  # fmt: skip
    retrieval = report["settings"]["retrieval"]
    assert (retrieval["fusion"], retrieval["rrf_k"], retrieval["group"]) == ("weighted", 60, False)
    assert (retrieval["bm25_weight"], retrieval["dense_weight"]) == (1, 3)
    assert report["settings"]["split"] == {"passage_words": 40, "overlap_words": 0}


def test_several_datasets_run_in_one_command_side_by_side(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    args = [*MULTIHOP, "--dataset", str(DATA / "beir"), "--index-dir", str(tmp_path), "-q"]
    report = as_json(invoke(*args, "--json"))
    assert list(report) == ["datasets"]
    assert list(report["datasets"]) == ["multihop", "beir"]
    assert report["datasets"]["multihop"]["dataset"] == "multihop"
    assert report["datasets"]["beir"]["questions"] == 3
    assert report["datasets"]["beir"]["hybrid"]["recall@100"] == 1.0

    lines = invoke(*args).stdout.splitlines()
    assert lines[0].startswith("index (multihop): read 6") and lines[1].startswith("index (beir)")
    assert lines[2].startswith("multihop: MultiHop-RAG format: 3 questions")
    assert lines[3].startswith("beir: BEIR format: 3 questions")
    assert lines[4].split() == ["[multihop]", "[beir]"]
    header = lines[5].split()
    assert header[0] == "mode" and header.count("ndcg@10") == 2 and header.count("p50") == 2
    assert [line.split()[0] for line in lines[6:]] == ["bm25", "dense", "hybrid"]
    assert all(len(line.split()) == len(header) - 4 for line in lines[6:])  # "p50 ms" x 2


def test_index_dir_is_built_once_and_reused_without_embedding(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    args = [*MULTIHOP, "--index-dir", str(tmp_path), "--json", "-q"]
    first = as_json(invoke(*args))
    assert first["index"]["indexed"] == 6 and embedded_texts

    embedded_texts.clear()
    second = as_json(invoke(*args))
    assert second["index"] | {"dir": None} == {
        "read": 6,
        "indexed": 0,
        "unchanged": 6,
        "rejected": 0,
        "passages_written": 0,
        "dir": None,
    }
    assert embedded_texts == []  # nothing embedded on the second run
    for mode in ("bm25", "dense", "hybrid"):
        for metric in MULTIHOP_METRICS:
            assert second[mode][metric] == first[mode][metric]

    # Passages cut another way get their own index: no stale passages from the first run.
    resplit = as_json(invoke(*args, "--passage-words", "40"))
    assert resplit["index"]["indexed"] == 6 and resplit["index"]["dir"] != first["index"]["dir"]


def test_malformed_query_file_fails_with_file_line_and_problem(
    embedded_texts: list[str], tmp_path: Path
) -> None:
    queries = tmp_path / "queries.jsonl"
    good = (DATA / "multihop" / "queries.jsonl").read_text().splitlines()[0]
    queries.write_text(f'{good}\n{{"question": "unfinished\n')
    result = invoke("--articles", MULTIHOP[1], "--queries", str(queries), "-q")
    assert result.exit_code == 2
    assert f"error: {queries}:2: invalid JSON" in result.stderr
    assert "Traceback" not in result.output
    assert embedded_texts == []  # the questions are checked before anything is indexed


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--articles", MULTIHOP[1]], "give --articles FILE and --queries FILE together"),
        ([], "give --dataset DIR, or --articles FILE and --queries FILE, or --beir DIR"),
        (["--dataset", str(DATA)], "not a dataset folder"),
        ([*BEIR, "--mode", "magic"], "--mode must be bm25, dense, hybrid or all"),
        ([*BEIR, "--passage-words", "5"], "--passage-words: Input should be greater than"),
        ([*BEIR, "--fusion", "max"], "--fusion: Input should be 'rrf' or 'weighted'"),
        (["--beir", "/nonexistent"], "/nonexistent/queries.jsonl: no such file"),
    ],
)
def test_bad_options_fail_with_one_clear_line(
    embedded_texts: list[str], args: list[str], message: str
) -> None:
    result = invoke(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
