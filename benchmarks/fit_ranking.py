"""Fit the ranking parameters jointly on MultiHop-RAG dev and SciFact train, with cross-validation.

Two small models, fitted in turn on the legs ``benchmarks/ranking_data.py`` collected:

1. **Fusion**: the coefficients of the per-question BM25 weight (``search.leg_weights``), the RRF
   constant and the focus weight, by coordinate search on a grid, maximising the mean of both
   datasets' headline metrics (MultiHop: mean of Hits@4, Hits@10 and MRR@10; SciFact: nDCG@10).
2. **Second stage**: a linear model over the fused top candidates' features
   (``search.ranking.features``), fitted with a listwise softmax loss (each question's relevant
   passages should take the probability mass), L2-regularised, each dataset weighing half; then
   a logistic calibration of its score.

Every reported figure is cross-validated: the questions of each dataset are split into ``--folds``
folds; each fold is ranked by parameters fitted on the other folds only, and the metrics are
computed over all questions ranked that way. ``--transfer`` also fits on one dataset and scores
the other (a set never seen in fitting). The final parameters are fitted on all questions and
written with ``--write``.

    python -m benchmarks.fit_ranking --legs /work/evalcache/legs.pickle \
        --write search/ranking/params.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize

from benchmarks.ranking_data import DatasetLegs, QuestionLegs, load
from benchmarks.ranking_eval import HEADLINE, capped, evaluate, fused_candidates, product_ranker
from search.evaluation.metrics import contains_evidence
from search.leg_weights import SIGNALS
from search.ranking.features import feature_matrix
from search.ranking.params import FusionParams, RankingParams, SecondStageParams
from search.retrieval.fusion import HybridFusion
from search.retrieval.second_stage import SecondStage
from search.settings import RetrievalSettings

FEATURES = (
    "bm25_rank",
    "bm25_relative",
    "dense_rank",
    "dense_cosine",
    "dense_gap",
    "focus_rank",
    "coverage",
    "title_coverage",
    "proximity",
    "best_sentence",
    "answer_specific",
    "answer_loose",
    "outlet_named",
    "outlet_other",
    "outlet_clause",
    "day_named",
    "lead_passage",
    "bm25_rank*keyword",
    "dense_rank*keyword",
    # News questions that name their sources weigh the evidence their own way.
    "bm25_rank*focused",
    "bm25_relative*focused",
    "dense_rank*focused",
    "dense_cosine*focused",
    "dense_gap*focused",
    "coverage*focused",
    "title_coverage*focused",
    "proximity*focused",
    "best_sentence*focused",
    "lead_passage*focused",
)
# The grid each fusion parameter is searched on (coordinate search, two passes).
GRID: dict[str, Sequence[float]] = {
    "bias": (-0.5, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5),
    "coverage": (-1.0, 0.0, 1.0, 2.0, 3.0),
    "peak": (-1.0, 0.0, 1.0, 2.0),
    "keyword": (-1.0, 0.0, 1.0, 2.0, 3.0),
    "agreement": (-2.0, 0.0, 2.0),
    "answer_type": (-1.0, 0.0, 1.0),
    "rrf_k": (2.0, 3.0, 5.0, 10.0, 20.0),
    "focus_weight": (1.0, 2.0, 3.0, 4.0),
}
SECOND_STAGE_DEPTH = 50
COMMAND = "python -m benchmarks.fit_ranking --legs LEGS --write search/ranking/params.json"

Subset = dict[str, set[str]]  # dataset name -> question ids


def headline_score(kind: str, metrics: dict[str, float]) -> float:
    """One number per dataset: the mean of its headline metrics' leading ones."""
    if kind == "multihop":
        return (metrics["hits@4"] + metrics["hits@10"] + metrics["mrr@10"]) / 3
    return metrics["ndcg@10"]


def _write(params: RankingParams, directory: Path) -> str:
    text = params.model_dump_json()
    path = directory / f"{hashlib.sha1(text.encode()).hexdigest()[:16]}.json"
    path.write_text(text)
    return str(path)


@dataclass
class Fitter:
    data: dict[str, DatasetLegs]
    scratch: Path
    features: tuple[str, ...] = FEATURES
    # Fusion fits by training subset (the slow part), kept across runs when given a file.
    fusion_cache: Path | None = None

    # -- fusion ---------------------------------------------------------------------------------

    def fusion_objective(self, fusion: FusionParams, subset: Subset) -> float:
        path = _write(RankingParams(fusion=fusion), self.scratch)
        ranker = product_ranker(HybridFusion(params=path), None)
        scores = [
            headline_score(legs.kind, evaluate(legs, ranker, subset[name]))
            for name, legs in self.data.items()
            if subset[name]
        ]
        return float(np.mean(scores))

    def fit_fusion(self, subset: Subset, passes: int = 2) -> FusionParams:
        key = hashlib.sha1(
            json.dumps({n: sorted(ids) for n, ids in subset.items()}, sort_keys=True).encode()
        ).hexdigest()
        cache = (
            json.loads(self.fusion_cache.read_text())
            if self.fusion_cache and self.fusion_cache.exists()
            else {}
        )
        if key in cache:
            return FusionParams.model_validate(cache[key])
        fitted = self._search_fusion(subset, passes)
        if self.fusion_cache:
            cache[key] = fitted.model_dump()
            self.fusion_cache.write_text(json.dumps(cache, indent=1))
        return fitted

    def _search_fusion(self, subset: Subset, passes: int) -> FusionParams:
        values: dict[str, float] = {"bias": 2.0, "rrf_k": 3.0, "focus_weight": 3.0}
        values |= dict.fromkeys(SIGNALS, 0.0)
        best = self.fusion_objective(_fusion(values), subset)
        for _ in range(passes):
            improved = False
            for name, grid in GRID.items():
                for value in grid:
                    if value == values[name]:
                        continue
                    trial = values | {name: value}
                    objective = self.fusion_objective(_fusion(trial), subset)
                    if objective > best + 1e-6:
                        best, values, improved = objective, trial, True
            if not improved:
                break
        return _fusion(values)

    # -- second stage ---------------------------------------------------------------------------

    def examples(
        self, fusion: FusionParams, subset: Subset
    ) -> list[tuple[str, np.ndarray, np.ndarray]]:
        """(dataset, features, relevance) for each question with a relevant candidate."""
        path = _write(RankingParams(fusion=fusion), self.scratch)
        component = HybridFusion(params=path)
        found = []
        for name, legs in self.data.items():
            for item in legs.questions:
                if item.question.id not in subset[name]:
                    continue
                head = fused_candidates(item, component).items[:SECOND_STAGE_DEPTH]
                labels = np.array([_relevance(item, c.document) for c in head], dtype=float)
                if labels.any():
                    found.append((name, feature_matrix(item.analysis, head, self.features), labels))
        return found

    def fit_second_stage(
        self, fusion: FusionParams, subset: Subset, l2: float
    ) -> SecondStageParams:
        examples = self.examples(fusion, subset)
        stacked = np.vstack([features for _, features, _ in examples])
        mean, scale = stacked.mean(axis=0), stacked.std(axis=0)
        scale[scale < 1e-9] = 1.0
        counts = {name: sum(1 for n, _, _ in examples if n == name) for name in self.data}
        share = 1.0 / sum(1 for count in counts.values() if count)
        prepared = [
            ((features - mean) / scale, labels / labels.sum(), share / counts[name])
            for name, features, labels in examples
        ]
        weights = _listwise_fit(prepared, l2, len(self.features))
        slope, intercept = _calibration(
            [(x @ weights, (t > 0).astype(float)) for x, t, _ in prepared]
        )
        return SecondStageParams(
            depth=SECOND_STAGE_DEPTH,
            features=self.features,
            mean=tuple(map(float, mean)),
            scale=tuple(map(float, scale)),
            weights=tuple(map(float, weights)),
            slope=slope,
            intercept=intercept,
        )

    # -- cross-validation -----------------------------------------------------------------------

    def fit(self, subset: Subset, l2: float, fusion: FusionParams | None = None) -> RankingParams:
        fusion = fusion or self.fit_fusion(subset)
        return RankingParams(fusion=fusion, second_stage=self.fit_second_stage(fusion, subset, l2))

    def cross_validated(
        self, folds: int, l2: float, fixed_fusion: FusionParams | None = None
    ) -> dict[str, dict[str, dict[str, float]]]:
        """Metrics of each dataset with every question ranked by parameters fitted without it:
        {"fusion": {dataset: metrics}, "second_stage": {dataset: metrics}}."""
        fold_of = {
            (name, item.question.id): _fold(item.question.id, folds)
            for name, legs in self.data.items()
            for item in legs.questions
        }
        rankings: dict[str, dict[str, Any]] = {"fusion": {}, "second_stage": {}}
        for fold in range(folds):
            train = self._subset(lambda name, qid, f=fold: fold_of[(name, qid)] != f)
            test = self._subset(lambda name, qid, f=fold: fold_of[(name, qid)] == f)
            params = self.fit(train, l2, fixed_fusion)
            path = _write(params, self.scratch)
            fusion_only = product_ranker(HybridFusion(params=path), None)
            full = product_ranker(HybridFusion(params=path), SecondStage(params=path))
            for label, ranker in (("fusion", fusion_only), ("second_stage", full)):
                for name, legs in self.data.items():
                    for item in legs.questions:
                        if item.question.id in test[name]:
                            rankings[label][(name, item.question.id)] = list(ranker(item))
            print(json.dumps({"fold": fold, "fusion": params.fusion.model_dump()}), flush=True)
        return {
            label: {
                name: evaluate(legs, lambda item, n=name, r=ranked: r[(n, item.question.id)])
                for name, legs in self.data.items()
            }
            for label, ranked in rankings.items()
        }

    def _subset(self, keep: Callable[[str, str], bool]) -> Subset:
        return {
            name: {item.question.id for item in legs.questions if keep(name, item.question.id)}
            for name, legs in self.data.items()
        }

    def everything(self) -> Subset:
        return self._subset(lambda name, qid: True)


def _fusion(values: dict[str, float]) -> FusionParams:
    return FusionParams(
        rrf_k=values["rrf_k"],
        focus_weight=values["focus_weight"],
        bm25={"bias": values["bias"], **{name: values[name] for name in SIGNALS}},
    )


def _fold(question_id: str, folds: int) -> int:
    return int(hashlib.sha1(question_id.encode()).hexdigest(), 16) % folds


def _relevance(item: QuestionLegs, document: Any) -> float:
    if item.question.evidence:
        return 1.0 if contains_evidence(document.content or "", item.question.evidence) else 0.0
    return float(item.question.relevant.get(str(document.meta["article_id"]), 0))


def _listwise_fit(
    prepared: list[tuple[np.ndarray, np.ndarray, float]], l2: float, size: int
) -> np.ndarray:
    """Minimise sum_q weight_q x cross-entropy(target_q, softmax(X_q w)) + l2 |w|^2."""

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, gradient = l2 * float(w @ w), 2 * l2 * w
        for x, target, weight in prepared:
            scores = x @ w
            scores = scores - scores.max()
            probabilities = np.exp(scores)
            probabilities /= probabilities.sum()
            total -= weight * float(target @ np.log(probabilities + 1e-12))
            gradient += weight * (x.T @ (probabilities - target))
        return total, gradient

    result = minimize(loss, np.zeros(size), jac=True, method="L-BFGS-B")
    return np.asarray(result.x)


def _calibration(pairs: list[tuple[np.ndarray, np.ndarray]]) -> tuple[float, float]:
    """Platt scaling: P(relevant) = sigmoid(slope x score + intercept)."""
    scores = np.concatenate([s for s, _ in pairs])
    labels = np.concatenate([y for _, y in pairs])

    def loss(ab: np.ndarray) -> tuple[float, np.ndarray]:
        z = ab[0] * scores + ab[1]
        p = 1 / (1 + np.exp(-z))
        value = -float(np.sum(labels * np.log(p + 1e-12) + (1 - labels) * np.log(1 - p + 1e-12)))
        residual = p - labels
        return value, np.array([float(residual @ scores), float(residual.sum())])

    result = minimize(loss, np.array([1.0, 0.0]), jac=True, method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def _table(results: dict[str, dict[str, float]], data: dict[str, DatasetLegs]) -> str:
    lines = []
    for name, legs in data.items():
        metrics = results[name]
        cells = ", ".join(f"{m} {metrics[m]:.4f}" for m in HEADLINE[legs.kind])
        lines.append(f"  {name}: {cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--legs", type=Path, nargs="+", required=True, help="from benchmarks.ranking_data"
    )
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=0.001, help="L2 penalty on the weights")
    parser.add_argument("--transfer", action="store_true", help="fit on one set, score the other")
    parser.add_argument("--no-cv", action="store_true", help="skip cross-validation")
    parser.add_argument("--write", type=Path, help="write the parameters fitted on everything")
    parser.add_argument(
        "--features", help="comma-separated feature names (default: the shipped set)"
    )
    parser.add_argument(
        "--fusion-cache", type=Path, help="keep fusion fits here and reuse them (JSON)"
    )
    parser.add_argument(
        "--fusion", type=json.loads, help="fixed fusion parameters (JSON) instead of fitting them"
    )
    parser.add_argument(
        "--focus-legs",
        type=int,
        default=RetrievalSettings().max_focus_legs,
        help="focused legs per question, as the product caps them (default: its setting)",
    )
    arguments = parser.parse_args()
    fixed = FusionParams.model_validate(arguments.fusion) if arguments.fusion else None
    features = tuple(arguments.features.split(",")) if arguments.features else FEATURES
    data = _capped(load(arguments.legs), arguments.focus_legs)
    with tempfile.TemporaryDirectory(prefix="fit-ranking-") as scratch:
        fitter = Fitter(data, Path(scratch), features, arguments.fusion_cache)
        started = time.perf_counter()
        if not arguments.no_cv:
            results = fitter.cross_validated(arguments.folds, arguments.l2, fixed)
            for label, by_dataset in results.items():
                print(f"cross-validated ({arguments.folds} folds), {label}:")
                print(_table(by_dataset, data), flush=True)
        if arguments.transfer:
            _transfer(fitter, arguments.l2, fixed)
        if arguments.write:
            params = fitter.fit(fitter.everything(), arguments.l2, fixed)
            document = {
                **json.loads(params.model_dump_json()),
                "fitted_on": {name: len(legs.questions) for name, legs in data.items()},
                "l2": arguments.l2,
                "command": COMMAND,
            }
            arguments.write.write_text(json.dumps(document, indent=2) + "\n")
            print(f"wrote {arguments.write}")
        print(f"took {time.perf_counter() - started:.0f} s")


def _capped(data: dict[str, DatasetLegs], focus_legs: int) -> dict[str, DatasetLegs]:
    """The legs as the product would run them: at most ``focus_legs`` focused legs each."""
    for legs in data.values():
        legs.questions = [capped(item, focus_legs) for item in legs.questions]
    return data


def _transfer(fitter: Fitter, l2: float, fixed: FusionParams | None) -> None:
    """Fit on each dataset alone; score the other, which the fit never saw."""
    for source in fitter.data:
        train = {
            name: (ids if name == source else set()) for name, ids in fitter.everything().items()
        }
        params = fitter.fit(train, l2, fixed)
        path = _write(params, fitter.scratch)
        ranker = product_ranker(HybridFusion(params=path), SecondStage(params=path))
        for name, legs in fitter.data.items():
            if name != source:
                metrics = evaluate(legs, ranker)
                cells = ", ".join(f"{m} {metrics[m]:.4f}" for m in HEADLINE[legs.kind])
                print(f"fitted on {source} only -> {name}: {cells}", flush=True)


if __name__ == "__main__":
    main()
