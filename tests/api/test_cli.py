import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from search.settings import get_settings
from tests.conftest import MISSILE_QUESTION, REPO


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data_dir = tmp_path / "var"
    monkeypatch.setenv("NEWSDESK_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir
    get_settings.cache_clear()


def test_index_search_stats_round_trip(cli_env: Path, seeds: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["index", "--quiet", str(seeds)])
    assert first.exit_code == 0, first.output
    assert "read 3, indexed 3, unchanged 0, rejected 0" in first.output

    stats = runner.invoke(app, ["stats", "--json"])
    assert json.loads(stats.stdout) == {
        "articles": 3,
        "passages": json.loads(stats.stdout)["passages"],
    }

    again = runner.invoke(app, ["index", "--quiet", str(seeds)])
    assert "read 3, indexed 0, unchanged 3, rejected 0" in again.output
    assert runner.invoke(app, ["stats", "--json"]).stdout == stats.stdout

    found = runner.invoke(app, ["search", MISSILE_QUESTION, "--json", "--top-k", "2"])
    assert found.exit_code == 0, found.output
    response = json.loads(found.stdout)
    assert response["query"] == MISSILE_QUESTION and len(response["hits"]) == 2
    assert "700" in response["hits"][0]["text"]

    human = runner.invoke(app, ["search", MISSILE_QUESTION, "--mode", "bm25", "-k", "1"])
    assert human.exit_code == 0 and "1 hits in" in human.stdout


def test_rejections_are_listed_and_make_the_exit_status_non_zero(
    cli_env: Path, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"title": "ok", "body": "Fine text."}\n{oops\n')
    result = CliRunner().invoke(app, ["index", "-q", str(path)])
    assert result.exit_code == 1
    assert f"rejected {path}:2: invalid JSON" in result.stderr
    assert "read 2, indexed 1, unchanged 0, rejected 1" in result.stdout


def test_bad_search_options_fail_with_one_clear_line(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["search", "missile", "--mode", "magic"])
    assert result.exit_code == 2
    assert "--mode must be hybrid, bm25 or dense" in result.stderr


def test_a_second_process_sees_the_index(cli_env: Path, seeds: Path) -> None:
    assert CliRunner().invoke(app, ["index", "-q", str(seeds)]).exit_code == 0
    completed = subprocess.run(
        [sys.executable, "-m", "api.cli", "stats", "--json"],
        cwd=REPO,
        env={**os.environ, "NEWSDESK_DATA_DIR": str(cli_env)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["articles"] == 3


def test_model_prepares_the_configured_backend(cli_env: Path) -> None:
    result = CliRunner().invoke(app, ["model", "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["backend"] == "openvino" and info["dim"] == 384
    assert info["model_id"].endswith("@model+openvino")
    assert (Path(info["files"]) / "export.json").exists()


def test_index_progress_shows_passages_per_second_and_an_eta(cli_env: Path, seeds: Path) -> None:
    result = CliRunner().invoke(app, ["index", str(seeds)])
    assert result.exit_code == 0, result.output
    assert "3/3" in result.stderr and "<00:00" in result.stderr  # total known: an ETA
    assert "passages/s=" in result.stderr


def test_a_store_built_on_another_backend_is_refused(
    cli_env: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert CliRunner().invoke(app, ["index", "-q", str(seeds)]).exit_code == 0
    monkeypatch.setenv("NEWSDESK_EMBEDDING__BACKEND", "onnx")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["search", MISSILE_QUESTION])
    assert result.exit_code == 2
    assert "'packaged:all-MiniLM-L6-v2@model+openvino'" in result.stderr
    assert "'packaged:all-MiniLM-L6-v2@model+onnx'" in result.stderr


def test_copies_stored_under_old_text_file_ids_are_reported_then_replaced(
    cli_env: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "story.txt").write_text("The harbour bridge reopened after repairs.")
    # What newsdesk before issue 9 stored for that file: its name as id and title.
    old = tmp_path / "old.jsonl"
    old.write_text(json.dumps({"id": "story", "title": "story", "body": "The harbour bridge "
                               "reopened after repairs."}) + "\n")  # fmt: skip
    runner = CliRunner()
    assert runner.invoke(app, ["index", "-q", str(old)]).exit_code == 0

    first = runner.invoke(app, ["index", "-q", str(folder)])
    assert first.exit_code == 0, first.output
    assert "1 of these .txt files (e.g. 'story')" in first.stderr
    assert "--replace-legacy-ids" in first.stderr
    replaced = runner.invoke(app, ["index", "-q", "--replace-legacy-ids", str(folder)])
    assert "read 1, indexed 0, unchanged 1" in replaced.stdout
    assert "removed" in replaced.stderr
    assert json.loads(runner.invoke(app, ["stats", "--json"]).stdout)["articles"] == 1
    assert "note:" not in runner.invoke(app, ["index", "-q", str(folder)]).stderr


def test_search_pages_sorts_and_says_how_time_was_read(cli_env: Path, seeds: Path) -> None:
    runner = CliRunner()
    samples = REPO / "examples" / "sample-articles.jsonl"
    assert runner.invoke(app, ["index", "--quiet", str(seeds), str(samples)]).exit_code == 0
    first = runner.invoke(app, ["search", "fictional -Japan", "-k", "2", "--json"])
    page = json.loads(first.stdout)
    assert page["syntax"]["excluded"] == ["Japan"] and page["next_page_token"]
    second = runner.invoke(
        app,
        [
            "search",
            "fictional -Japan",
            "-k",
            "2",
            "--json",
            "--page-token",
            page["next_page_token"],
        ],
    )
    ids = {hit["passage_id"] for hit in page["hits"]}
    assert ids.isdisjoint(hit["passage_id"] for hit in json.loads(second.stdout)["hits"])
    dated = runner.invoke(
        app, ["search", "news reported in April 2026", "--sort", "date", "--as-of", "2026-12-01"]
    )
    assert dated.exit_code == 0, dated.output
    assert "time read: period 2026-04-01 to 2026-04-30 (filter); as of 2026-12-01" in dated.output
    wrong = runner.invoke(app, ["search", "news", "--page-token", "bm90IGEgdG9rZW4"])
    assert wrong.exit_code == 2 and "not a token" in wrong.output
    assert runner.invoke(app, ["search", "news", "--sort", "newest"]).exit_code == 2


def test_a_bulk_import_ends_optimized_and_optimize_can_be_run_again(
    cli_env: Path, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import api.cli

    monkeypatch.setattr(api.cli, "OPTIMIZE_AFTER_PASSAGES", 1)  # the seeds count as bulk
    runner = CliRunner()
    indexed = runner.invoke(app, ["index", "--quiet", str(seeds)])
    assert indexed.exit_code == 0, indexed.output
    assert "optimizing the keyword index" in indexed.output

    optimized = runner.invoke(app, ["optimize"])
    assert optimized.exit_code == 0, optimized.output
    assert "optimized the embedded store" in optimized.output
    found = runner.invoke(app, ["search", MISSILE_QUESTION, "--json", "--top-k", "1"])
    assert "700" in json.loads(found.stdout)["hits"][0]["text"]

    skipped = runner.invoke(app, ["index", "--quiet", "--no-optimize", str(seeds)])
    assert skipped.exit_code == 0 and "optimizing" not in skipped.output
