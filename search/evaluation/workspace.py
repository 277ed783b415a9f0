"""Where an evaluation keeps its index and embedding cache, so re-runs cost no embedding.

Layout of an evaluation directory (``--index-dir``)::

    cache/embeddings.sqlite3         one text -> vector cache, shared by every index below
    indexes/<key>/embedded/          one store per (corpus, index-time settings)
    indexes/<key>/manifest.json      what <key> stands for, in clear

The key hashes the corpus file and every setting that shapes the index (passage size and
overlap, what is embedded and by which model, the BM25 text, story grouping at ingest), so a
tuning run that changes one of them gets a fresh store instead of silently reusing passages cut
the old way, while query-time knobs (fusion, weights, depth) reuse the same store. A store built
before is indexed again article by article, which finds every article unchanged.

Usage:
    store_settings, cache_settings = workspace_settings(settings, Path("/tmp/nd-eval"), digest)
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from search.settings import Settings

# Sub-settings read only when answering a question, or only by other backends and the API.
_QUERY_TIME = {"data_dir", "store", "retrieval", "elasticsearch", "api"}
# Embedding settings that change speed, not vectors.
_EMBEDDING_RUNTIME = {"batch_size", "device", "threads", "export_dir", "query_batch"}


def index_shape(settings: Settings) -> dict[str, Any]:
    """Every setting that changes what an index holds (future index-time settings included)."""
    shape = settings.model_dump(mode="json", exclude=_QUERY_TIME)
    for name in _EMBEDDING_RUNTIME:
        shape.get("embedding", {}).pop(name, None)
    shape["bm25_include_title"] = settings.retrieval.bm25_include_title
    return shape


def index_key(settings: Settings, corpus_fingerprint: str) -> str:
    payload = json.dumps(
        {"corpus": corpus_fingerprint, "index": index_shape(settings)}, sort_keys=True
    )
    return hashlib.sha1(payload.encode()).hexdigest()[:16]


def workspace_settings(
    settings: Settings, root: Path, corpus_fingerprint: str
) -> tuple[Settings, Settings]:
    """(settings for the store, settings for the embedder and its cache) under ``root``.

    Evaluation always uses the embedded store: it must never write into a configured
    Elasticsearch index.
    """
    key = index_key(settings, corpus_fingerprint)
    index_dir = root / "indexes" / key
    index_dir.mkdir(parents=True, exist_ok=True)
    manifest = index_dir / "manifest.json"
    if not manifest.exists():
        manifest.write_text(
            json.dumps(
                {"corpus": corpus_fingerprint, "index": index_shape(settings)},
                indent=2,
                sort_keys=True,
            )
        )
    store_settings = settings.model_copy(update={"data_dir": index_dir, "store": "embedded"})
    return store_settings, embedder_settings(settings, root)


def embedder_settings(settings: Settings, root: Path) -> Settings:
    """Settings whose cache dir is ``root/cache``: one embedding cache for every index."""
    return settings.model_copy(update={"data_dir": root, "store": "embedded"})
