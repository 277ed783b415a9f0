"""Strings that are well-formed Unicode: no lone surrogates.

JSON lets a client escape half of a UTF-16 surrogate pair (``"\\ud800"``); Python decodes it into a
``str`` that cannot be encoded as UTF-8, so it fails later, far from the input (in a response, in
Tantivy). Every string taken from outside is checked here, at validation, naming its field.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def lone_surrogate_at(value: str) -> int | None:
    """The index of the first lone surrogate (a valid pair is already one character)."""
    found = _LONE_SURROGATE.search(value)
    return found.start() if found else None


def require_well_formed(value: str) -> str:
    index = lone_surrogate_at(value)
    if index is not None:
        code = f"\\u{ord(value[index]):04x}"
        raise ValueError(f"contains a lone surrogate ({code} at character {index}), not text")
    return value


WellFormedStr = Annotated[str, AfterValidator(require_well_formed)]
