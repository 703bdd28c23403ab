"""Hashing and verifying the audit chain.

``ChainWalker`` checks rows fed to it one at a time in id order, so that
``verify_stored_chain`` can stream millions of rows in keyset-paginated
batches without holding them.  Where the chain does not hold, it names the
row that was tampered with when the evidence tells which (a row renumbered
by one, a row that skips its predecessor), else the first row that cannot
be trusted.

What the chain cannot show on its own: someone with write access to the
tables who rewrites every row after a point *and* the head.  Keep the head
that ``wraparound audit verify`` prints somewhere else (a ticket, a log
shipper) to anchor it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import ipaddress
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "id",
    "occurred_at",
    "user_id",
    "username",
    "organization_id",
    "role",
    "patient_id",
    "resource_type",
    "resource_id",
    "action",
    "reason",
    "ip_address",
    "user_agent",
    "request_id",
    "detail",
    "previous_hash",
)
STORED_FIELDS = (*HASHED_FIELDS, "hash")

VERIFY_BATCH_SIZE = 10_000


def _canonical(value: Any) -> Any:
    if value is None or isinstance(value, str | int):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat(timespec="microseconds")
    if hasattr(value, "hex"):  # UUID
        return value.hex
    return str(value)


@functools.lru_cache(maxsize=4096)
def canonical_ip_address(value: str | None) -> str | None:
    """One spelling per address: PostgreSQL's ``inet`` and Python write IPv6 addresses differently."""
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).exploded
    except ValueError:
        return value  # not an address (edited into the table): hashed as it is, so the row shows as changed


def row_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the hashed fields of one row, in a fixed order, as canonical JSON.

    Written out field by field (``verify`` hashes millions of rows); it gives the same as
    ``_canonical`` over ``HASHED_FIELDS``, which it falls back to for unexpected types.
    """
    occurred_at, patient_id = values["occurred_at"], values["patient_id"]
    canonical = [
        values["id"],
        occurred_at.isoformat(timespec="microseconds")
        if isinstance(occurred_at, dt.datetime)
        else occurred_at,
        values["user_id"],
        values["username"],
        values["organization_id"],
        values["role"],
        patient_id.hex if isinstance(patient_id, uuid.UUID) else patient_id,
        values["resource_type"],
        values["resource_id"],
        values["action"],
        values["reason"],
        values["ip_address"],
        values["user_agent"],
        values["request_id"],
        values["detail"],
        values["previous_hash"],
    ]
    try:
        canonical[_ADDRESS] = canonical_ip_address(canonical[_ADDRESS])
        payload = orjson.dumps(canonical)
    except TypeError:
        canonical = [_canonical(values[name]) for name in HASHED_FIELDS]
        canonical[_ADDRESS] = canonical_ip_address(canonical[_ADDRESS])
        payload = orjson.dumps(canonical)
    return hashlib.sha256(payload).hexdigest()


_ADDRESS = HASHED_FIELDS.index("ip_address")


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    row_id: int | None
    problem: str


class ChainWalker:
    """Checks rows fed in id order; ``finish`` compares the end with the recorded head."""

    def __init__(self) -> None:
        self.rows = 0
        self.last_id = 0
        self.last_hash = GENESIS_HASH
        self._hash_before_last: str | None = None

    def feed(self, values: dict[str, Any]) -> Break | None:
        """Check the next row; a Break (and the walk should stop) when the chain does not hold there."""
        row_id = values["id"]
        expected_id = self.last_id + 1
        if row_id != expected_id:
            return self._gap(row_id, expected_id)
        hash_matches = row_hash(values) == values["hash"]
        follows = values["previous_hash"] == self.last_hash
        if not hash_matches:
            return self._changed(values)
        if not follows:
            return self._unlinked(values)
        self._hash_before_last = self.last_hash
        self.last_id, self.last_hash = row_id, values["hash"]
        self.rows += 1
        return None

    def finish(self, head_id: int, head_hash: str) -> Break | None:
        """After the last row: the chain must end where the head (written with every row) says."""
        if self.last_id < head_id:
            first = self.last_id + 1
            missing = f"row {first} is" if first == head_id else f"rows {first} to {head_id} are"
            return Break(first, f"{missing} missing (deleted from the end of the chain)")
        if self.last_id > head_id:
            return Break(
                head_id + 1,
                f"row {head_id + 1} lies beyond the chain's recorded head (row {head_id}):"
                " added without the audit writer, or the head was changed",
            )
        if self.last_hash != head_hash:
            if self.last_id == 0:
                return Break(None, "the chain is empty but its recorded head was changed")
            return Break(
                self.last_id,
                f"row {self.last_id} does not match the chain's recorded head: it was changed or"
                " replaced after it was written (its hash recomputed), or the head was changed",
            )
        return None

    def _gap(self, row_id: int, expected_id: int) -> Break:
        if row_id < expected_id:
            return Break(row_id, f"row {row_id} is out of order")
        missing = (
            f"row {expected_id} is"
            if row_id == expected_id + 1
            else f"rows {expected_id} to {row_id - 1} are"
        )
        return Break(expected_id, f"{missing} missing (deleted or renumbered); the next row is {row_id}")

    def _changed(self, values: dict[str, Any]) -> Break:
        row_id = values["id"]
        if row_id > 1 and row_hash({**values, "id": row_id - 1}) == values["hash"]:
            return Break(
                row_id - 1,
                f"row {row_id - 1} was inserted: the row now numbered {row_id} was written as row"
                f" {row_id - 1} and renumbered",
            )
        if row_hash({**values, "id": row_id + 1}) == values["hash"]:
            return Break(
                row_id,
                f"row {row_id} was deleted and the later rows renumbered: the row now numbered {row_id}"
                f" was written as row {row_id + 1}",
            )
        return Break(
            row_id, f"row {row_id} was changed after it was written (its hash does not match its contents)"
        )

    def _unlinked(self, values: dict[str, Any]) -> Break:
        row_id = values["id"]
        if row_id == 1:
            return Break(1, "row 1 does not start the chain (its previous hash is not the genesis hash)")
        if values["previous_hash"] == self._hash_before_last:
            return Break(
                row_id - 1,
                f"row {row_id - 1} was inserted: row {row_id} was written to follow row {row_id - 2}",
            )
        return Break(
            row_id - 1,
            f"row {row_id - 1} was changed or replaced after it was written (its hash recomputed):"
            f" row {row_id} was written to follow a different row {row_id - 1}",
        )


def find_break(rows: Iterable[dict[str, Any]], head_id: int, head_hash: str) -> Break | None:
    """Walk rows in id order; the first edited, deleted, inserted or reordered row, if any."""
    walker = ChainWalker()
    for values in rows:
        found = walker.feed(values)
        if found is not None:
            return found
    return walker.finish(head_id, head_hash)


@dataclass(frozen=True)
class Verification:
    rows: int
    last_id: int
    last_hash: str
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def stored_head() -> tuple[int, str]:
    """The recorded head (last id, last hash); an absent head is the empty chain's."""
    from wraparound.audit.models import AuditChainHead

    head = AuditChainHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    return head if head is not None else (0, GENESIS_HASH)


def verify_stored_chain(
    *, batch_size: int = VERIFY_BATCH_SIZE, on_batch: Callable[[int, int], None] | None = None
) -> Verification:
    """Walk the stored chain in id order, ``batch_size`` rows per query (keyset pagination).

    ``on_batch(rows_checked, rows_expected)`` reports progress.  Rows written
    while the walk runs are fine: a writer adds its rows and moves the head in
    one transaction, so the head is read after the rows and, when it has
    moved on, the walk continues to it.
    """
    from wraparound.audit.models import AuditEvent

    walker = ChainWalker()
    expected, _ = stored_head()
    after = 0

    def next_batch() -> list[dict[str, Any]]:
        return list(
            AuditEvent.objects.filter(id__gt=after).order_by("id").values(*STORED_FIELDS)[:batch_size]
        )

    while True:
        batch = next_batch()
        if not batch:
            head_id, head_hash = stored_head()
            if head_id <= after:
                break
            # The head moved on after that query: read the rows written since (else they are missing).
            batch = next_batch()
            if not batch:
                break
        for values in batch:
            found = walker.feed(values)
            if found is not None:
                return Verification(walker.rows, walker.last_id, walker.last_hash, found)
        after = batch[-1]["id"]
        if on_batch is not None:
            on_batch(walker.rows, max(expected, after))
    return Verification(walker.rows, walker.last_id, walker.last_hash, walker.finish(head_id, head_hash))
