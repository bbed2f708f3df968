"""Where a joining node's tokens come from, and where a leaver's go
(paper 6.2), plus the zone-aware preference-list walk.

These functions only plan: they validate and draw random numbers, and never
change the ring, so a bad argument leaves the ring as it was.

Examples
--------
>>> from dynamo_lab.dynamo.ring import Ring
>>> ring = Ring(strategy=3, partitions=12, seed=1)
>>> for name in "ABC":
...     _ = ring.add_node(name)
>>> sorted(len(ring.tokens_of(x)) for x in "ABC")
[4, 4, 4]
>>> _ = ring.remove_node("B")
>>> sorted(len(ring.tokens_of(x)) for x in "AC")
[6, 6]
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from .hashing import RING_SIZE

if TYPE_CHECKING:
    from .ring import Ring
    from .ring_core import RingCore

__all__ = ["plan_join", "plan_leave", "zone_walk", "positive_int", "position_int", "check_weight"]


def plan_join(ring: "Ring", name: str, tokens: Iterable[int] | None,
              weight: float) -> tuple[list[int], list[tuple[int, str | None]], bool]:
    """Plan a join: ``(new tokens, [], True)`` for strategies 1 and 2, or
    ``([], [(token, its current owner or None)], spaced)`` for strategy 3,
    where ``spaced`` says no preference list passes tokens stolen from two
    different nodes (so keys move only to the newcomer).

    Cost: O(T) draws (strategies 1, 2); O(Q) for strategy 3.
    """
    if tokens is not None:
        tokens = _explicit(ring, tokens)
    if ring.strategy == 3:
        return [], *_plan_steals(ring, name, tokens, weight)
    if tokens is not None:
        return tokens, [], True
    count = max(1, round(ring.tokens_per_node * weight))
    rng, owner = ring._rng, ring._owner
    out: list[int] = []
    taken: set[int] = set()
    while len(out) < count:
        t = rng.getrandbits(128)
        # A repeat is astronomically rare, but a duplicate token would make
        # two nodes claim one position, so draw again.
        if t not in owner and t not in taken:
            taken.add(t)
            out.append(t)
    return out, [], True


def _explicit(ring: "Ring", tokens: Iterable[int]) -> list[int]:
    try:
        tokens = list(tokens)
    except TypeError:
        raise ValueError(f"tokens must be an iterable of ints, not {tokens!r}") from None
    if not tokens:
        raise ValueError("tokens must hold at least one token")
    seen: set[int] = set()
    for t in tokens:
        if not isinstance(t, int) or isinstance(t, bool) or not 0 <= t < RING_SIZE:
            raise ValueError(f"a token must be an int in [0, 2**128), not {t!r}")
        if t in seen:
            raise ValueError(f"token {t} is given twice")
        seen.add(t)
        if ring.strategy != 3 and t in ring._owner:
            raise ValueError(f"token {t} is already held by node {ring._owner[t]!r}")
    return tokens


def _plan_steals(ring: "Ring", name: str, tokens: list[int] | None,
                 weight: float) -> tuple[list[tuple[int, str | None]], bool]:
    Q = ring.partitions
    held = ring._held
    if not held:
        # The first node holds every partition; there is no one to steal from.
        if tokens is not None and sorted(tokens) != ring._ends:
            raise ValueError("strategy 3: the first node holds all Q partitions; "
                             "give explicit tokens only for later nodes")
        return [(e, None) for e in ring._ends], True
    if len(held) + 1 > Q:
        raise ValueError(f"strategy 3 with Q={Q} partitions holds at most {Q} nodes; "
                         f"the ring has {len(held)} already")
    if tokens is not None:
        ends = ring._starts
        left: dict[str, int] = {x: len(ts) for x, ts in held.items()}
        steals = []
        for t in tokens:
            if t not in ends:
                raise ValueError(f"strategy 3: token {t} is not a partition end "
                                 f"(ends are j * 2**128 // Q mod 2**128)")
            src = ring._owner[t]
            left[src] -= 1
            if left[src] == 0:
                raise ValueError(f"strategy 3: taking token {t} would leave node "
                                 f"{src!r} with no tokens")
            steals.append((t, src))
        return steals, False          # the lesson chose them; no spacing promised
    total = sum(ring._weights.values()) + weight
    target = max(1, round(Q * weight / total))
    rng, weights = ring._rng, ring._weights
    count = {x: len(ts) for x, ts in held.items()}
    chosen: dict[int, str] = {}
    spaced = True
    # With N or fewer nodes after the join every list holds them all, so
    # keys can only move to the newcomer and no spacing is needed.
    near = ring.n - 1 if len(held) + 1 > ring.n else 0
    for _ in range(target):
        # Steal from the most loaded node (tokens per unit of weight); a tie
        # is broken at random, so no node is always the first victim.
        donors = [x for x in count if count[x] > 1]
        if not donors:
            break
        top = max(count[x] / weights[x] for x in donors)
        src = rng.choice([x for x in donors if count[x] / weights[x] == top])
        # Prefer a token no preference list can pass together with a token
        # stolen from another node: then every list gains only the newcomer,
        # and keys move only to it, as in strategies 1 and 2. A few random
        # draws almost always find one; only then scan the donor's tokens.
        mine = held[src]
        t = None
        for _ in range(32):
            c = mine[rng.randrange(len(mine))]
            if c not in chosen and not _conflict(ring, c, src, chosen, near):
                t = c
                break
        if t is None:
            rest = [c for c in mine if c not in chosen]
            rng.shuffle(rest)
            t = next((c for c in rest if not _conflict(ring, c, src, chosen, near)), None)
            if t is None:
                t, spaced = rest[0], False
        chosen[t] = src
        count[src] -= 1
    return list(chosen.items()), spaced


def _conflict(ring: "Ring", t: int, src: str, chosen: dict, near: int) -> bool:
    """Whether a walk of N nodes could pass token ``t`` (to be taken from
    ``src``) and a token already chosen from another node: fewer than
    ``near`` other nodes lie between them. O(N) tokens."""
    if near <= 0:
        return False
    owner = ring._owner
    for walk in (ring._cw(t), ring._ccw(t)):
        seen: set = set()
        for u in walk:
            if u == t:
                continue
            c = chosen.get(u)
            if c is not None:
                if c != src:
                    return True
                continue                 # the newcomer's too: not another node
            seen.add(owner[u])
            if len(seen) >= near:
                break
    return False


def plan_leave(ring: "Ring", name: str) -> list[tuple[int, str]]:
    """Strategy 3: ``[(token, new owner)]`` for the leaver's tokens.

    Each token goes, at random, to one of the least loaded remaining nodes
    (tokens per unit of weight). Tokens close enough that one preference
    list can pass both (fewer than N-1 other nodes between them) go to the
    same node: then every list loses only the leaver, and keys move only away
    from it, as in strategies 1 and 2. Empty for strategies 1 and 2, and for
    the last node. Cost: O(T (S + N)).
    """
    if ring.strategy != 3 or len(ring._held) == 1:
        return []
    rng, weights = ring._rng, ring._weights
    count = {x: len(ts) for x, ts in ring._held.items() if x != name}
    held = list(ring._held[name])
    # With N or fewer nodes left every list holds them all, so no grouping
    # is needed; otherwise group tokens one list can pass together.
    near = ring.n - 1 if len(count) > ring.n else 0
    groups = [[held[0]]]
    for a, b in zip(held, held[1:]):
        if _others_between(ring, a, b, name, near) < near:
            groups[-1].append(b)
        else:
            groups.append([b])
    if len(groups) > 1 and _others_between(ring, held[-1], held[0], name, near) < near:
        groups[0] = groups.pop() + groups[0]          # the run wraps past 0
    out = []
    # Largest groups first, each to a least loaded node: the singletons that
    # come last then even the shares out.
    for group in sorted(groups, key=len, reverse=True):
        low = min(count[x] / weights[x] for x in count)
        dst = rng.choice([x for x in count if count[x] / weights[x] == low])
        count[dst] += len(group)
        out.extend((t, dst) for t in group)
    out.sort()
    return out


def _others_between(ring: "Ring", a: int, b: int, name: str, enough: int) -> int:
    """Distinct nodes other than ``name`` on tokens strictly between ``a``
    and ``b`` clockwise, counted up to ``enough``."""
    seen: set = set()
    owner = ring._owner
    if enough <= 0:
        return 0
    for t in ring._cw(a):
        if t == a:
            continue
        if t == b:
            break
        x = owner[t]
        if x != name:
            seen.add(x)
            if len(seen) >= enough:
                break
    return len(seen)


def zone_walk(ring: "RingCore", start: int, n: int) -> tuple:
    """The zone-aware preference list from token ``start``.

    Walk clockwise over distinct physical nodes; take a node whose zone the
    list does not use yet, and set the others aside. Once every zone is used,
    or the ring is exhausted, fill up with the set-aside nodes in clockwise
    order. Cost: O(t) tokens in the worst case (lists are cached).
    """
    zone_of = ring._zones
    zones = set(zone_of.values())
    owner = ring._owner
    picked: list[str] = []
    aside: list[str] = []
    used: set = set()
    seen: set = set()
    for t in ring._cw(start):
        x = owner[t]
        if x in seen:
            continue
        seen.add(x)
        z = zone_of[x]
        if z not in used:
            used.add(z)
            picked.append(x)
            if len(picked) == n:
                break
        else:
            aside.append(x)
        if len(used) == len(zones) and len(picked) + len(aside) >= n:
            break
    return tuple(picked + aside[:n - len(picked)])


# -- argument checks (the ring refuses bad input before it changes) -------------
def position_int(pos) -> int:
    if not isinstance(pos, int) or isinstance(pos, bool) or not 0 <= pos < RING_SIZE:
        raise ValueError(f"a ring position must be an int in [0, 2**128), not {pos!r}")
    return pos


def positive_int(what: str, v) -> None:
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise ValueError(f"{what} must be a positive int, not {v!r}")


def check_weight(w) -> None:
    if isinstance(w, bool) or not isinstance(w, (int, float)) or not w > 0 or w != w \
            or w == float("inf"):
        raise ValueError(f"weight must be a positive number, not {w!r}")
