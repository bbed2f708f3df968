"""Seeded randomness, networkx style: every ``seed=`` takes an int, a
``random.Random`` or None.

Examples
--------
>>> a, b = make_rng(7), make_rng(7)
>>> a.random() == b.random()
True
>>> derive(make_rng(7), "network").random() == derive(make_rng(7), "network").random()
True
"""
from __future__ import annotations

import random
from typing import Union

__all__ = ["Seed", "make_rng", "derive"]

Seed = Union[int, random.Random, None]


def make_rng(seed: Seed = None) -> random.Random:
    """Return a ``random.Random`` for ``seed``.

    An int gives a fresh generator seeded with it, a ``random.Random`` is used
    as it is (shared, so the caller's stream advances), and None gives an
    unpredictable generator.
    """
    if seed is None:
        return random.Random()
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(
            f"seed must be an int, a random.Random or None, not {type(seed).__name__}")
    return random.Random(seed)


def derive(rng: random.Random, name: str) -> random.Random:
    """A new generator for one purpose (``name``), drawn from ``rng``.

    Each subsystem takes its own stream, so adding a random draw in one place
    does not shift every other draw in the run.
    """
    return random.Random(f"{rng.getrandbits(64)}:{name}")
