"""The filter columns: a filter naming outlets admits exactly their live passages, however many
outlets it names (a few are compared one by one, more are looked up in a table)."""

from __future__ import annotations

import numpy as np

from search.filters import SearchFilters
from search.store.embedded.catalog import PassageRow
from search.store.embedded.columns import FilterColumns

OUTLETS = [f"Outlet {n}" for n in range(12)]


def _row(rowid: int, outlet: str | None) -> PassageRow:
    return PassageRow(
        rowid=rowid,
        article_id=f"a-{rowid}",
        terms="",
        outlet_key=outlet.casefold() if outlet else None,
        published_ts=None,
        embedding=np.zeros(4, dtype=np.float32),
        outlet=outlet,
    )


def test_a_filter_admits_the_live_passages_of_each_outlet_it_names() -> None:
    outlet_of = {rowid: OUTLETS[rowid % len(OUTLETS)] for rowid in range(1, 200)}
    outlet_of.update({200: None})
    columns = FilterColumns()
    columns.apply([], [_row(rowid, outlet) for rowid, outlet in outlet_of.items()])
    columns.apply([13, 14], [])
    for count in (1, 2, 4, 5, 9, len(OUTLETS)):
        named = OUTLETS[:count]
        admitted = columns.admitted(SearchFilters(outlets=[*named, "Nowhere"]))
        expected = [
            rowid
            for rowid, outlet in outlet_of.items()
            if outlet in named and rowid not in (13, 14)
        ]
        assert admitted.tolist() == expected


def test_outlets_coded_after_the_named_ones_are_not_admitted() -> None:
    columns = FilterColumns()
    columns.apply([], [_row(rowid, OUTLETS[rowid % 6]) for rowid in range(1, 60)])
    columns.apply([], [_row(60, "Newcomer"), _row(61, "Later still")])
    named = OUTLETS[1:6]  # the first five codes: the two newest lie beyond their table
    admitted = columns.admitted(SearchFilters(outlets=named))
    assert admitted.tolist() == [rowid for rowid in range(1, 60) if rowid % 6]
