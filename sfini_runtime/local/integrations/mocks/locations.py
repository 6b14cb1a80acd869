"""Where each key of a JSON text is: the line a mock configuration error points at.

``json.loads`` forgets positions, so after it accepted the text a small scanner walks it once
more and records, for every object key, its path (``("MockedResponses", "R1", "0")``) and
offset. It also notices keys given twice in one object, which ``json.loads`` silently merges
(the last one wins) and which in a mock file are always a mistake.
"""

from __future__ import annotations

import bisect
import re
from json.decoder import scanstring

Path = tuple[str | int, ...]

_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def field_name(path: Path) -> str:
    """``MockedResponses.R1."0"``: identifier-like keys bare, others JSON-quoted."""
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(f"[{part}]")
            continue
        shown = part if _BARE.match(part) else '"' + part.replace('"', '\\"') + '"'
        parts.append("." + shown if parts else shown)
    return "".join(parts) or "(top level)"


class KeyLocations:
    """The line of every object key of a JSON text (which must be valid JSON)."""

    def __init__(self, text: str) -> None:
        self._newlines = [i for i, char in enumerate(text) if char == "\n"]
        self.offsets: dict[Path, int] = {}
        #: (path of the object, key, offset of the second occurrence) of each repeated key
        self.duplicates: list[tuple[Path, str, int]] = []
        self._scan(text)

    def line_of_offset(self, offset: int) -> int:
        return bisect.bisect_right(self._newlines, offset - 1) + 1

    def line(self, path: Path) -> int:
        """The line of the key at ``path``, else of its nearest located ancestor."""
        while path:
            if path in self.offsets:
                return self.line_of_offset(self.offsets[path])
            path = path[:-1]
        return 1  # the top-level object

    def _scan(self, text: str) -> None:
        # frames: [is_object, current key or array index]
        frames: list[list[object]] = []
        seen: list[set[str]] = []
        expect_key = False
        i, end = 0, len(text)
        while i < end:
            char = text[i]
            if char == "{":
                frames.append([True, None])
                seen.append(set())
                expect_key = True
            elif char == "[":
                frames.append([False, 0])
                seen.append(set())
                expect_key = False
            elif char in "}]":
                frames.pop()
                seen.pop()
                expect_key = False
            elif char == ",":
                if frames[-1][0]:
                    expect_key = True
                else:
                    frames[-1][1] = int(frames[-1][1]) + 1  # type: ignore[call-overload]
            elif char == '"':
                value, after = scanstring(text, i + 1)
                if expect_key:
                    frames[-1][1] = value
                    parent: Path = tuple(f[1] for f in frames[:-1])  # type: ignore[misc]
                    if value in seen[-1]:
                        self.duplicates.append((parent, value, i))
                    seen[-1].add(value)
                    self.offsets[(*parent, value)] = i
                    expect_key = False
                i = after
                continue
            i += 1


__all__ = ["KeyLocations", "Path", "field_name"]
