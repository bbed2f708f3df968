"""Seeded fault schedules: crashes, zone losses, partitions, message loss.

A schedule is plain data, a list of ``(t, action, args)``, so it can be
printed, saved and replayed. ``install`` calls the target's own methods
(``crash``, ``recover``, ``crash_zone``, ``partition``, ``heal``,
``set_loss``) at those virtual times; anything with those methods is a
target, a DynamoCluster as much as a bare Network.

Examples
--------
>>> s = FaultSchedule.random(["a", "b", "c"], duration_ms=10_000, seed=3)
>>> s == FaultSchedule.random(["a", "b", "c"], duration_ms=10_000, seed=3)
True
>>> s.actions[-1][1]
'heal'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .rand import Seed, make_rng

__all__ = ["FaultSchedule"]


@dataclass
class FaultSchedule:
    actions: list[tuple[int, str, tuple]] = field(default_factory=list)

    @classmethod
    def random(cls, nodes: Sequence[str], *, duration_ms: int,
               zones: dict[str, str] | None = None, mean_gap_ms: int = 1_000,
               max_down: int = 1, loss: float = 0.05, seed: Seed = None) -> "FaultSchedule":
        """Draw faults for ``duration_ms``, ending with every node up and healed.

        At most ``max_down`` nodes are down at once. ``zones`` maps node to
        zone and enables whole-zone losses.
        """
        if not nodes:
            raise ValueError("a fault schedule needs at least one node")
        rng = make_rng(seed)
        nodes = sorted(nodes)
        zone_names = sorted(set(zones.values())) if zones else []
        down: list[str] = []
        zone_down: str | None = None
        out: list[tuple[int, str, tuple]] = []
        t = 0
        while True:
            t += 1 + int(rng.expovariate(1.0 / mean_gap_ms))
            if t >= duration_ms:
                break
            choice = rng.random()
            if choice < 0.35 and len(down) < max_down and zone_down is None:
                n = rng.choice([x for x in nodes if x not in down])
                down.append(n)
                out.append((t, "crash", (n,)))
            elif choice < 0.6 and down:
                n = down.pop(rng.randrange(len(down)))
                out.append((t, "recover", (n,)))
            elif choice < 0.7 and zone_names and not down and zone_down is None:
                zone_down = rng.choice(zone_names)
                out.append((t, "crash_zone", (zone_down,)))
            elif choice < 0.75 and zone_down is not None:
                out.append((t, "recover_zone", (zone_down,)))
                zone_down = None
            elif choice < 0.88 and len(nodes) >= 2:
                k = rng.randint(1, len(nodes) - 1)
                side = sorted(rng.sample(nodes, k))
                other = [x for x in nodes if x not in side]
                out.append((t, "partition", (tuple(side), tuple(other))))
            elif choice < 0.94:
                out.append((t, "set_loss", (round(rng.uniform(0, loss), 4),)))
            else:
                out.append((t, "heal", ()))
        end = duration_ms
        for n in down:
            out.append((end, "recover", (n,)))
        if zone_down is not None:
            out.append((end, "recover_zone", (zone_down,)))
        out.append((end, "set_loss", (0.0,)))
        out.append((end, "heal", ()))
        return cls(out)

    def install(self, sim: Any, target: Any) -> None:
        """Schedule each action as a call on ``target`` at its virtual time
        (relative to ``sim.now``)."""
        for t, action, args in self.actions:
            fn = getattr(target, action, None)
            if fn is None:
                raise AttributeError(f"{type(target).__name__} cannot {action!r}")
            sim.schedule(t, fn, *args)

    def __len__(self) -> int:
        return len(self.actions)
