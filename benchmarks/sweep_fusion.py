"""Sweep ranking configurations on both tuning sets at once, over legs collected once.

Nothing is embedded and no store is searched: ``benchmarks/ranking_data.py`` collected both legs'
answers for every question of MultiHop-RAG dev and SciFact train; each configuration re-runs only
the product's fusion and second stage and prints both datasets side by side.

    python -m benchmarks.sweep_fusion --legs /work/evalcache/legs.pickle \
        --config 'default={}' --config 'fixed-w8={"fusion": {"bm25_weight": 8}}' \
        --config 'no-second-stage={"second_stage": false}' --config 'bm25={"mode": "bm25"}'

A configuration is JSON: ``fusion`` (``HybridFusion`` arguments: ``fusion``, ``rrf_k``,
``bm25_weight``, ``dense_weight``, ``focus_weight``, ``params``), ``second_stage`` (true/false),
``params`` (a parameter file for the second stage), ``focus_legs`` (the cap on focused legs;
default: the product's ``max_focus_legs``) and ``mode`` (``bm25`` or ``dense`` for one leg alone).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path
from typing import Any

from benchmarks.ranking_data import DatasetLegs, QuestionLegs, load
from benchmarks.ranking_eval import HEADLINE, Ranker, evaluate, product_ranker
from search.retrieval.fusion import HybridFusion
from search.retrieval.second_stage import SecondStage
from search.retrieval.types import LegRankings
from search.settings import RetrievalSettings


def _single_leg(mode: str) -> Ranker:
    fusion = HybridFusion()

    def rank(item: QuestionLegs):  # type: ignore[no-untyped-def]
        analysis = dataclasses.replace(item.analysis, mode=mode, focus_filters=())
        bm25 = LegRankings("bm25", item.bm25.main)
        dense = LegRankings("dense", item.dense.main)
        return fusion.run(analysis=analysis, bm25=bm25, dense=dense)["candidates"].items

    return rank


def ranker(config: dict[str, Any]) -> Ranker:
    if config.get("mode") in ("bm25", "dense"):
        return _single_leg(config["mode"])
    fusion = HybridFusion(**config.get("fusion", {}))
    stage = (
        SecondStage(params=config.get("params", config.get("fusion", {}).get("params")))
        if config.get("second_stage", True)
        else None
    )
    return product_ranker(
        fusion, stage, config.get("focus_legs", RetrievalSettings().max_focus_legs)
    )


def row(name: str, data: dict[str, DatasetLegs], config: dict[str, Any]) -> str:
    rank = ranker(config)
    cells = [f"{name:34s}"]
    for legs in data.values():
        metrics = evaluate(legs, rank)
        cells += [f"{metrics[m]:.4f}" for m in HEADLINE[legs.kind]]
    return " ".join(f"{cell:>8s}" for cell in cells)


def header(data: dict[str, DatasetLegs]) -> str:
    names = [f"{'configuration':34s}"]
    for legs in data.values():
        names += [f"{legs.name[:4]}:{m}" for m in HEADLINE[legs.kind]]
    return " ".join(f"{name:>8s}" for name in names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--legs", type=Path, nargs="+", required=True, help="from benchmarks.ranking_data"
    )
    parser.add_argument("--config", action="append", default=[], help="NAME=JSON")
    arguments = parser.parse_args()
    data = load(arguments.legs)
    print(header(data), flush=True)
    for entry in arguments.config or ["default={}"]:
        name, _, overrides = entry.partition("=")
        started = time.perf_counter()
        line = row(name, data, json.loads(overrides or "{}"))
        print(f"{line}  ({time.perf_counter() - started:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
