"""Capacity units and the token bucket: the arithmetic of provisioned throughput.

**Units** (the deck's arithmetic; ``KB`` = 1024 bytes). One RCU is one
strongly consistent read per second of an item up to 4 KB (an eventually
consistent read costs half); one WCU is one write per second of up to 1 KB.
Sizes round up per item: a 1.2 KB item read 1,000 times a second needs
1,000 RCU, a 4.5 KB item 2,000 (:func:`rcu_for`, :func:`wcu_for`).

**Token bucket.** Each partition of a provisioned table has a read and a
write :class:`TokenBucket` in virtual time (ms). A bucket refills
continuously at the partition's share per second and keeps up to
``burst_seconds`` (300) of unused capacity: that is *burst capacity*. A new
bucket starts with one second of its share. What happens when a bucket is
short (adaptive capacity, throttling) is :mod:`.throughput`'s business.

Examples
--------
>>> from dynamo_lab.dynamodb.partitions.partitioning import KB
>>> rcu_for(int(1.2 * KB), 1000), rcu_for(int(4.5 * KB), 1000), wcu_for(512, 10)
(1000, 2000, 10)
>>> b = TokenBucket(100, now_ms=0)          # 100 units/s, starts with 100
>>> b.try_consume(100, 0), b.try_consume(1, 0), b.tokens(0)
(True, False, 0.0)
>>> b.tokens(300_000 + 1_000)               # 300 s of unused capacity, no more
30000.0
"""
from __future__ import annotations

from fractions import Fraction
from math import ceil

from ...errors import ArgumentError
from ..options import BURST_SECONDS
from .units import READ_UNIT, WRITE_UNIT, read_units, write_units

__all__ = ["READ_UNIT_BYTES", "WRITE_UNIT_BYTES", "BURST_SECONDS", "units_per_read",
           "units_per_write", "rcu_for", "wcu_for", "TokenBucket"]

READ_UNIT_BYTES, WRITE_UNIT_BYTES = READ_UNIT, WRITE_UNIT


def units_per_read(item_size_bytes: float, consistent: bool = True) -> float:
    """Read units for one read of one item: 4 KB steps, rounded up; half if
    eventual (the arithmetic is :func:`.units.read_units`).

    >>> units_per_read(1), units_per_read(4096), units_per_read(4097, consistent=False)
    (1.0, 1.0, 1.0)
    """
    return read_units(item_size_bytes, consistent)


def units_per_write(item_size_bytes: float) -> int:
    """Write units for one write of one item: 1 KB steps, rounded up
    (:func:`.units.write_units`).

    >>> units_per_write(1024), units_per_write(1025)
    (1, 2)
    """
    return int(write_units(item_size_bytes))


def rcu_for(item_size_bytes: float, reads_per_s: float, consistent: bool = True) -> int:
    """RCU to provision for ``reads_per_s`` reads of items of this size
    (per read 4 KB steps rounded up, half if eventual; total rounded up).

    Examples
    --------
    The deck: 1.2 KB: 0.3 -> 1 unit -> 1,000 RCU; 4.5 KB: 1.1 -> 2 -> 2,000 RCU.

    >>> from dynamo_lab.dynamodb.partitions.partitioning import KB
    >>> rcu_for(1.2 * KB, 1000), rcu_for(4.5 * KB, 1000), rcu_for(4.5 * KB, 1000, consistent=False)
    (1000, 2000, 1000)
    >>> rcu_for(1 * KB, 3, consistent=False)      # 1.5 rounds up
    2
    """
    return ceil(units_per_read(item_size_bytes, consistent) * reads_per_s)


def wcu_for(item_size_bytes: float, writes_per_s: float) -> int:
    """WCU to provision for ``writes_per_s`` writes of items of this size.

    >>> from dynamo_lab.dynamodb.partitions.partitioning import KB
    >>> wcu_for(1.5 * KB, 100), wcu_for(0, 7)
    (200, 7)
    """
    return ceil(units_per_write(item_size_bytes) * writes_per_s)


class TokenBucket:
    """Tokens that refill at ``rate`` per second, up to ``burst_seconds`` of them.

    Time is virtual ms and must not go backwards between calls that change
    the bucket. Arithmetic is exact: with ``rate = num/den`` the bucket
    counts in integer steps of ``1/(1000*den)`` token, so a 1,666.67 RCU
    share (5000/3) refills exactly and a learner's prediction of the first
    throttle holds to the millisecond. Every method is O(1).

    Parameters
    ----------
    rate : number
        Units per second (the partition's share).
    now_ms : int
        When the bucket starts.
    burst_seconds : int
        How many seconds of unused capacity it keeps (the cap is
        ``rate * burst_seconds``).
    initial : number or None
        Tokens at start; default one second's worth (``rate``).

    Examples
    --------
    >>> b = TokenBucket(10, now_ms=0, burst_seconds=2)
    >>> b.capacity, b.tokens(500), b.time_until(20, 0)
    (20.0, 15.0, 1000)
    >>> b.try_consume(16, 500), b.tokens(500)      # refused: nothing changes
    (False, 15.0)
    """

    __slots__ = ("_num", "_den", "_scale", "_burst", "_cap", "_tok", "_t")

    def __init__(self, rate: float | Fraction, now_ms: int = 0, *,
                 burst_seconds: float = BURST_SECONDS,
                 initial: float | Fraction | None = None) -> None:
        if rate < 0 or burst_seconds < 1 or int(burst_seconds) != burst_seconds:
            raise ArgumentError("rate must be >= 0 and burst_seconds a whole number >= 1")
        self._burst = int(burst_seconds)
        self._t = int(now_ms)
        self._tok = 0
        self._set(Fraction(rate))
        start = Fraction(rate) if initial is None else Fraction(initial)
        self._tok = min(self._cap, max(0, int(start * self._scale)))

    def _set(self, rate: Fraction) -> None:
        self._num, self._den = rate.numerator, rate.denominator
        self._scale = 1000 * self._den          # steps per token; refill is _num per ms
        self._cap = self._num * 1000 * self._burst

    def _steps(self, units: float) -> int:
        if isinstance(units, int):
            return units * self._scale
        twice = units * 2
        if isinstance(units, float) and twice.is_integer():
            return int(twice) * (self._scale // 2)      # _scale is even
        return ceil(Fraction(units) * self._scale)

    def _at(self, now_ms: int) -> int:
        if now_ms <= self._t:
            return self._tok
        return min(self._cap, self._tok + self._num * (now_ms - self._t))

    @property
    def rate(self) -> float:
        return self._num / self._den

    @property
    def exact_rate(self) -> Fraction:
        """The rate, exact (a partition's share divides evenly as a fraction)."""
        return Fraction(self._num, self._den)

    @property
    def capacity(self) -> float:
        return self._cap / self._scale

    def tokens(self, now_ms: int) -> float:
        """Tokens available at ``now_ms`` (pure: changes nothing)."""
        return self._at(now_ms) / self._scale

    def try_consume(self, units: float, now_ms: int) -> bool:
        """Take ``units`` at ``now_ms`` if there are that many; on False
        nothing changed."""
        if now_ms < self._t:
            raise ArgumentError(f"time went backwards: {now_ms} < {self._t}")
        have = self._at(now_ms)
        need = self._steps(units)
        if need > have:
            return False
        self._tok, self._t = have - need, int(now_ms)
        return True

    def time_until(self, units: float, now_ms: int) -> int | None:
        """Ms from ``now_ms`` until ``units`` tokens are there (0: now);
        None if they never will be (more than the cap)."""
        need = self._steps(units)
        short = need - self._at(now_ms)
        if short <= 0:
            return 0
        if need > self._cap or self._num == 0:
            return None
        return -(-short // self._num)

    def give_back(self, units: float) -> None:
        """Return ``units`` just taken (a request refused further on)."""
        self._tok = min(self._cap, self._tok + self._steps(units))

    def set_rate(self, rate: float | Fraction, now_ms: int) -> None:
        """Refill at the old rate up to ``now_ms``, then use ``rate``; tokens
        above the new cap are lost."""
        tokens = Fraction(self._at(now_ms), self._scale)
        self._t = max(self._t, int(now_ms))
        self._set(Fraction(rate))
        self._tok = min(self._cap, int(tokens * self._scale))

    def split(self, now_ms: int) -> "TokenBucket":
        """A bucket with half of this one's rate and tokens (for a child)."""
        return TokenBucket(Fraction(self._num, self._den) / 2, max(self._t, int(now_ms)),
                           burst_seconds=self._burst,
                           initial=Fraction(self._at(now_ms), self._scale) / 2)

    def __repr__(self) -> str:
        return f"<TokenBucket rate={self.rate:g}/s tokens={self._tok / self._scale:g} t={self._t}>"
