"""How far a spreadsheet import has come: rows read, rows checked of all, percent and time left.

The import tells a Progress what it is doing (reading the file, checking each row, saving); the Progress hands a
snapshot to its `publish` function now and then: the background job puts it in the cache for the import page's
progress bar, the command line draws it. Percent and time left are worked out here, in the process that runs the
import, with its own clock only, so that a web process on another host shows them as they are.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

WAITING, READING, CHECKING, SAVING = "waiting", "reading", "checking", "saving"


@dataclass(frozen=True)
class Snapshot:
    """One look at an import: its stage, rows read, rows checked of all, percent done and seconds left (None while
    not known: percent while reading, time left until a second of checking has passed)."""

    stage: str = WAITING
    read: int = 0
    checked: int = 0
    total: int = 0
    percent: int | None = None
    seconds_left: int | None = None

    def as_dict(self) -> dict:
        """The snapshot as plain values (for the cache)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict | None) -> Snapshot:
        """A snapshot from `as_dict()`'s values; a waiting one from nothing."""
        return cls(**values) if values else cls()


class Progress:
    """Counts an import's rows as they are read and checked, and publishes a snapshot at most every `interval`
    seconds (and at once when the stage changes)."""

    def __init__(self, publish: Callable[[Snapshot], None], interval: float = 0.5,
                 clock: Callable[[], float] = time.monotonic):
        self.publish, self.interval, self.clock = publish, interval, clock
        self.stage, self.read, self.checked, self.total = WAITING, 0, 0, 0
        self.checking_since: float | None = None
        self.published_at: float | None = None

    def reading(self, rows_read: int) -> None:
        """So many rows of the file have been read."""
        self.read = rows_read
        self._moved(READING)

    def checking(self, rows_checked: int, total: int) -> None:
        """So many of the file's `total` rows have been checked (and, in a commit, written)."""
        if self.checking_since is None:
            self.checking_since = self.clock()
            self.read = max(self.read, total)
        self.checked, self.total = rows_checked, total
        self._moved(CHECKING)

    def saving(self) -> None:
        """Every row is checked; what is left is saving (a commit) or rolling back (a dry run)."""
        self.checked = self.total
        self._moved(SAVING)

    def snapshot(self) -> Snapshot:
        """Where the import stands now."""
        percent = seconds_left = None
        if self.stage == CHECKING and self.total:
            percent = min(100, self.checked * 100 // self.total)
            elapsed = self.clock() - self.checking_since
            if self.checked and elapsed >= 1:
                seconds_left = round(elapsed / self.checked * (self.total - self.checked))
        elif self.stage == SAVING:
            percent = 100
        return Snapshot(self.stage, self.read, self.checked, self.total, percent, seconds_left)

    def _moved(self, stage: str) -> None:
        now = self.clock()
        if stage != self.stage or self.published_at is None or now - self.published_at >= self.interval:
            self.stage, self.published_at = stage, now
            self.publish(self.snapshot())
