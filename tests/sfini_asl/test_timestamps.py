from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from sfini_asl.timestamps import (
    TimestampFormatError,
    epoch_nanoseconds,
    epoch_seconds,
    format_timestamp,
    is_timestamp,
    parse_timestamp,
)

VALID = [
    ("2016-03-14T01:59:00Z", 1457920740 * 10**9),
    ("2016-03-14T01:59Z", 1457920740 * 10**9),
    ("2024-01-01T00:00:00.00Z", 1704067200 * 10**9),
    ("2016-03-05T21:29:29.243167252Z", 1457213369 * 10**9 + 243167252),
    ("2012-10-09T19:00:55+01:00", 1349805655 * 10**9),
    ("2012-10-09T19:00:55-00:30", (1349809255 + 1800) * 10**9),
    ("2020-02-29T12:00:00Z", 1582977600 * 10**9),
]

# The first five are recorded AWS rejections (scenarios/base cases of the corpus).
INVALID: list[Any] = [
    "2016-13-05T21:29:29Z",
    "2016-12-05T25:29:29Z",
    "05-12-2016T21:29:29Z",
    "2016-12-05 21:29:29Z",
    "2012-10-09T19:00:55",
    "2023-02-24",
    "2021-02-29T00:00:00Z",
    "2016-03-14T01:59:00.1234567890Z",
    "2016-03-14t01:59:00Z",
    "2016-03-14T01:59:00+25:00",
    "",
    1457920740,
    None,
]


@pytest.mark.parametrize(("text", "nanos"), VALID)
def test_valid_timestamps(text: str, nanos: int) -> None:
    assert is_timestamp(text)
    assert epoch_nanoseconds(text) == nanos
    assert epoch_seconds(text) == pytest.approx(nanos / 1e9)
    parsed = parse_timestamp(text)
    assert parsed.tzinfo is timezone.utc
    assert int(parsed.timestamp()) == nanos // 10**9


@pytest.mark.parametrize("text", INVALID)
def test_invalid_timestamps(text: Any) -> None:
    assert not is_timestamp(text)
    with pytest.raises(TimestampFormatError):
        epoch_nanoseconds(text)
    with pytest.raises(ValueError):
        parse_timestamp(text)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (0, "1970-01-01T00:00:00.000Z"),
        (1704067200.5, "2024-01-01T00:00:00.500Z"),
        (1704067200.9996, "2024-01-01T00:00:01.000Z"),
        (datetime(2024, 1, 1, 1, tzinfo=timezone.utc), "2024-01-01T01:00:00.000Z"),
        (datetime(2024, 1, 1, 1), "2024-01-01T01:00:00.000Z"),
    ],
)
def test_format_timestamp(moment: Any, expected: str) -> None:
    assert format_timestamp(moment) == expected
    assert is_timestamp(format_timestamp(moment))
