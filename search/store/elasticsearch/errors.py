"""Elasticsearch and transport exceptions become domain errors here, and nowhere else.

Callers (the API, the CLI, the indexer) only know ``search.errors``; a client exception that
escaped this module would turn a down server into a 500 and a stack trace.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from elastic_transport import ConnectionTimeout, TransportError
from elasticsearch import ApiError

from search.errors import InvalidArticleError, InvalidQueryError, StoreUnavailableError

# Statuses that mean "the cluster is busy or briefly unavailable": worth retrying, never the
# caller's fault.
RETRYABLE_STATUSES = (429, 502, 503, 504)
_SHOWN_FAILURES = 5


@dataclass(frozen=True)
class ItemFailure:
    """One bulk item the server did not accept, with the reason it gave."""

    doc_id: str
    operation: str
    status: int
    reason: str

    def __str__(self) -> str:
        return f"{self.operation} {self.doc_id}: {self.status} {self.reason}"


def _summary(prefix: str, failures: Sequence[ItemFailure]) -> str:
    shown = "; ".join(str(failure) for failure in failures[:_SHOWN_FAILURES])
    more = len(failures) - _SHOWN_FAILURES
    tail = f"; and {more} more" if more > 0 else ""
    return f"{prefix} ({len(failures)} item(s)): {shown}{tail}"


class BulkRejectedError(InvalidArticleError):
    """Elasticsearch refused some documents (mapping conflict, wrong vector size...).

    An ``InvalidArticleError`` so the indexer's one-by-one fallback reports the article and the
    API answers 422; ``failures`` lists every item with its reason.
    """

    def __init__(self, failures: Sequence[ItemFailure]) -> None:
        self.failures = list(failures)
        super().__init__(_summary("Elasticsearch rejected documents", self.failures))


class BulkUnavailableError(StoreUnavailableError):
    """Items still answered 429/5xx after every retry: the cluster is overloaded or down."""

    def __init__(self, failures: Sequence[ItemFailure]) -> None:
        self.failures = list(failures)
        super().__init__(_summary("Elasticsearch stayed busy after retries", self.failures))


class WritesBlockedError(StoreUnavailableError):
    """The index refuses writes (``index.blocks.write``): a reindex is copying it, or the disk
    is full. Writers wait for the block to go, then fail with this."""

    def __init__(self, failures: Sequence[ItemFailure]) -> None:
        self.failures = list(failures)
        super().__init__(_summary("Elasticsearch refuses writes to the index", self.failures))


def is_blocked(failure: ItemFailure) -> bool:
    return failure.status == 403 and failure.reason.startswith("cluster_block_exception")


def is_conflict(failure: ItemFailure) -> bool:
    return failure.status == 409


def raise_for_failures(failures: Sequence[ItemFailure]) -> None:
    """Busy-server failures win: retrying later may fix them, a rejected document never will."""
    if any(is_blocked(failure) for failure in failures):
        raise WritesBlockedError(failures)
    busy = [failure for failure in failures if failure.status in RETRYABLE_STATUSES]
    if busy:
        raise BulkUnavailableError(failures)
    if failures:
        raise BulkRejectedError(failures)


def _reason(error: ApiError) -> str:
    """The server's own words (``type: reason``) rather than the client's repr."""
    body = error.body if isinstance(error.body, dict) else {}
    cause = body.get("error")
    if isinstance(cause, dict):
        root = (cause.get("root_cause") or [cause])[0]
        return f"{root.get('type', 'error')}: {root.get('reason', '')}".strip()
    return str(error.message or error)


def translate(error: Exception, url: str, doing: str) -> Exception:
    """The domain error for a client or transport exception raised while ``doing``."""
    where = f"Elasticsearch at {url}"
    if isinstance(error, ConnectionTimeout):
        return StoreUnavailableError(f"{where} did not answer in time while {doing}")
    if isinstance(error, TransportError):
        return StoreUnavailableError(f"{where} is unreachable while {doing}: {error.message}")
    if isinstance(error, ApiError):
        status = error.status_code if isinstance(error.status_code, int) else 0
        reason = _reason(error)
        if status in (401, 403):
            return StoreUnavailableError(f"{where} refused access while {doing}: {reason}")
        if status == 400:
            return InvalidQueryError(f"{where} rejected the request while {doing}: {reason}")
        return StoreUnavailableError(f"{where} failed while {doing} ({status}): {reason}")
    return error


@contextmanager
def translated(url: str, doing: str) -> Iterator[None]:
    """``with translated(url, "searching"):`` - nothing from the client leaks past it."""
    try:
        yield
    except (ApiError, TransportError) as error:
        raise translate(error, url, doing) from error
