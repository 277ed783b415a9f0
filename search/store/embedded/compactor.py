"""A vector compaction in a process of its own, so that a serving process never holds it.

A compaction loads a writable copy of the snapshot (usearch cannot change a mapped view): about
a gigabyte at a million passages, for the seconds it takes. The background compaction a flush
starts on a large store (and one due when a store opens or closes) runs here, in a child
process, and the store that started it then follows the new snapshot; small stores, and bulk
imports (in line, in the indexing process), compact in their own process.

    python -m search.store.embedded.compactor <store folder> <dimension>
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from search.store.embedded.catalog import Catalog
from search.store.embedded.resident import ResidentIndexes
from search.store.embedded.state import DerivedState

CATALOG_FILE = "catalog.sqlite3"
DERIVED_FILE = "derived.json"
_TIMEOUT_S = 3600
_CODE_ROOT = Path(__file__).resolve().parents[3]  # the folder holding the ``search`` package


def compact_in_child(directory: Path, dim: int) -> None:
    """Run a compaction of ``directory`` in a child process; raises if it failed."""
    command = [sys.executable, "-m", __name__, str(directory), str(dim)]
    # The child imports this very code, wherever the parent found it (a checkout run from
    # another folder than the installed package, say).
    paths = [str(_CODE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=_TIMEOUT_S, env=environment
    )
    if finished.returncode != 0:
        reason = finished.stderr[-500:]
        raise RuntimeError(f"the compaction exited with {finished.returncode}: {reason}")


def compact(directory: Path, resident: ResidentIndexes, catalog: Catalog) -> bool:
    """Compact, then prune the removal log; False when there was nothing to do or another
    process is compacting."""
    previous = resident.compact()
    if previous is None:
        return False
    # Keep the removals since the previous snapshot: a reader that searched since then replays
    # them instead of rebuilding its resident indexes.
    lexical = DerivedState.load(directory / DERIVED_FILE).lexical
    catalog.forget_removals(min(previous.generation, lexical.generation))
    return True


def main(argv: list[str]) -> int:
    directory, dim = Path(argv[0]), int(argv[1])
    catalog = Catalog(directory / CATALOG_FILE)
    try:
        legacy = DerivedState.load(directory / DERIVED_FILE).vectors
        compact(directory, ResidentIndexes(directory, dim, catalog, legacy), catalog)
    finally:
        catalog.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
