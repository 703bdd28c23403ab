"""Deterministic identifiers.

A stored resource's primary key is a UUID (version 5) derived from where it
came from, so the same resource arriving twice maps to the same row, and
references can be computed without asking the database.  ``resource_key`` is
the same UUID as 32 hex digits, computed without building a UUID object: the
import's hot path uses it.
"""

from __future__ import annotations

import hashlib
import uuid

WRAPAROUND_NAMESPACE = uuid.UUID("6f1b3a52-8d0e-5c1f-9a47-2b7c4e9d1a30")
_NAMESPACE_BYTES = WRAPAROUND_NAMESPACE.bytes


def resource_key(source: str, resource_type: str, source_id: str) -> str:
    """``resource_uuid(...).hex``, three times faster."""
    digest = bytearray(
        hashlib.sha1(_NAMESPACE_BYTES + f"{source}\x1f{resource_type}\x1f{source_id}".encode()).digest()
    )
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    return digest[:16].hex()


def resource_uuid(source: str, resource_type: str, source_id: str) -> uuid.UUID:
    return uuid.UUID(hex=resource_key(source, resource_type, source_id))
