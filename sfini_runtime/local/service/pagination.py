"""Opaque, tamper-evident ``nextToken`` values and page slicing.

A token records which listing it belongs to and the key of the item the next page starts
with; it is signed with a per-process key, so a forged token, one from another listing or one
from an earlier engine process is answered with ``InvalidToken`` as AWS answers an expired one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sfini_runtime.local.errors import InvalidToken

DEFAULT_PAGE_SIZE = 100
_KEY = secrets.token_bytes(32)

T = TypeVar("T")


def _signature(payload: bytes) -> str:
    return hmac.new(_KEY, payload, hashlib.sha256).hexdigest()[:32]


def encode_token(listing: str, position: int) -> str:
    """A token resuming ``listing`` at ``position``."""
    payload = json.dumps([listing, position], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(payload).decode() + "." + _signature(payload)


def decode_token(token: str, listing: str) -> int:
    """The position ``token`` resumes ``listing`` at."""
    try:
        encoded, signature = token.rsplit(".", 1)
        payload = base64.urlsafe_b64decode(encoded.encode())
        if not hmac.compare_digest(signature, _signature(payload)):
            raise ValueError("bad signature")
        owner, position = json.loads(payload)
    except (ValueError, TypeError, UnicodeError):
        raise InvalidToken(f"Invalid Token: '{token}'") from None
    if owner != listing or not isinstance(position, int) or position < 0:
        raise InvalidToken(f"Invalid Token: '{token}'")
    return position


def page_size(max_results: int | None) -> int:
    """``maxResults`` as AWS reads it: absent or 0 means 100."""
    return max_results or DEFAULT_PAGE_SIZE


def paginate(
    items: Sequence[T],
    key: Callable[[T], int],
    request: dict[str, Any],
    listing: str,
    *,
    descending: bool = False,
) -> tuple[list[T], str | None]:
    """One page of ``items``, which are ordered by the strictly monotonic integer ``key``.

    The token names the key of the first item of the next page, so items added or removed
    between calls never shift a page.
    """
    token = request.get("nextToken")
    position = decode_token(token, listing) if token is not None else None
    if position is None:
        remaining = list(items)
    elif descending:
        remaining = [item for item in items if key(item) <= position]
    else:
        remaining = [item for item in items if key(item) >= position]
    size = page_size(request.get("maxResults"))
    page = remaining[:size]
    next_token = encode_token(listing, key(remaining[size])) if len(remaining) > size else None
    return page, next_token
