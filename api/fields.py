"""Request field types: what the OpenAPI document promises is exactly what is accepted.

Dates are ISO-8601 strings only (pydantic would read ``0`` or ``"1700000000"`` as a Unix time),
numbers must be finite, and strings must be well-formed Unicode.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)

from search.wellformed import WellFormedStr

MAX_QUERY_CHARS = 1000
MAX_NAME_CHARS = 200

# Request bodies: unknown fields refused, no NaN/Infinity (nor 1e400, which reads as Infinity).
LENIENT_REQUEST = ConfigDict(extra="forbid", allow_inf_nan=False)
# JSON bodies also get JSON's own types: "5" is not an integer, "yes" not a boolean.
STRICT_REQUEST = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

# Whitespace as every JSON Schema regex engine reads it (Python's str.strip also strips \x1c-\x1f,
# which ECMA and Rust regexes do not count as space): a query of only these characters is blank.
_BLANK = " \t\n\v\f\r"
NOT_BLANK_PATTERN = "[^ \\t\\n\\v\\f\\r]"


def _not_blank(value: str) -> str:
    stripped = value.strip(_BLANK)
    if not stripped:
        raise ValueError("the query is blank")
    return stripped


def _integral(value: object) -> object:
    # JSON Schema counts 200.0 as an integer; strict mode would not.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


JsonInt = Annotated[int, BeforeValidator(_integral)]

QueryText = Annotated[
    WellFormedStr,
    Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        json_schema_extra={"pattern": NOT_BLANK_PATTERN},
    ),
    AfterValidator(_not_blank),
]
Name = Annotated[WellFormedStr, Field(max_length=MAX_NAME_CHARS)]

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATE_TIME = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[Tt](?P<time>\d{2}:\d{2}):(?P<second>\d{2})"
    r"(?P<fraction>\.\d+)?(?P<offset>[Zz]|[+-]\d{2}:\d{2})"
)


def _date_time(value: object) -> datetime:
    if isinstance(value, datetime):  # Python callers
        return value
    if not isinstance(value, str) or not _DATE_TIME.fullmatch(value):
        raise ValueError("must be an ISO-8601 date-time string, e.g. 2026-03-01T00:00:00Z")
    parts = _DATE_TIME.fullmatch(value)
    assert parts is not None
    # RFC 3339 allows a leap second; Python's datetime does not: read it as the second before.
    second = "59" if parts["second"] == "60" else parts["second"]
    fraction = (parts["fraction"] or "")[:7]  # datetime keeps microseconds
    offset = "+00:00" if parts["offset"] in "Zz" else parts["offset"]
    try:
        parsed = datetime.fromisoformat(
            f"{parts['date']}T{parts['time']}:{second}{fraction}{offset}"
        )
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"is not a valid date-time in UTC's range ({error})") from None


def _day(value: object) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be an ISO-8601 day string, e.g. 2026-03-01")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"is not a valid day ({error})") from None


# Plain validators: pydantic's own date parsing (Unix times, numeric strings) never runs.
IsoDateTime = Annotated[
    datetime,
    PlainValidator(_date_time),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
IsoDay = Annotated[
    date,
    PlainValidator(_day),
    WithJsonSchema({"type": "string", "format": "date"}),
]

MAX_PAGE_TOKEN_CHARS = 10_000
PageToken = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_PAGE_TOKEN_CHARS,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="next_page_token of the previous page (same query and options)",
    ),
]
