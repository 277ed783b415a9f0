"""Bringing a derived index level with the catalog by replaying what changed after its checkpoint.

Added passages are the rows above the checkpoint's rowid (rowids only grow, in commit order);
removed ones are logged per generation in the catalog. Replaying is idempotent, so a checkpoint
that lags what an index really holds (a crash between the index's own commit and recording it)
costs time, never a duplicate.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from search.store.embedded.catalog import Catalog, PassageRow
from search.store.embedded.state import Checkpoint

Apply = Callable[[Sequence[int], Sequence[PassageRow]], None]


def replay(catalog: Catalog, checkpoint: Checkpoint, apply: Apply) -> Checkpoint | None:
    """Apply every change committed after ``checkpoint`` (from empty: every passage).

    Returns the index's new checkpoint, or None when the changes cannot be known: the highest
    rowid was never recorded, or the removal log was pruned past the checkpoint. The caller then
    starts the index over from empty.
    """
    # Read first: everything read below is at least this new, and whatever is newer is read
    # again next time (harmless, see above).
    generation = catalog.generation()
    if checkpoint.rowid < 0 or not _logged_since(catalog, checkpoint):
        return None
    highest = checkpoint.rowid
    for batch in catalog.iter_passage_rows(after=highest):
        apply([], batch)
        highest = batch[-1].rowid
    if not checkpoint.empty:
        # After the rows: a row removed while they were read is in the log by now.
        removed = catalog.removed_since(checkpoint.generation)
        if not _logged_since(catalog, checkpoint):
            return None
        if removed:
            apply(removed, [])
    return Checkpoint(generation, highest)


def _logged_since(catalog: Catalog, checkpoint: Checkpoint) -> bool:
    return checkpoint.empty or checkpoint.generation >= catalog.removals_from()
