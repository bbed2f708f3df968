"""Exercises for the lessons, learntools style.

Each lesson has a module here (``lesson00``, ``lesson02``, ``lesson09``) whose
exercises the notebook imports::

    from dynamo_lab.exercises import ____, lesson02 as ex
    q1_owner = ____          # the learner replaces the blank
    ex.q1.check()            # or ex.q1.check("C")
    ex.q1.hint(); ex.q1.solution()

Every exercise declares its ``kind`` (predict, code, arithmetic, recall);
a predict-first exercise is answered before any cell shows its answer.

See :mod:`dynamo_lab.exercises.core` for the framework.

Examples
--------
>>> from dynamo_lab.exercises import ____, Exercise, expect_number
>>> q = Exercise("q1", "N?", var="n", expected=3, check=expect_number())
>>> q.check(____)
q1: not attempted yet. Replace ____ with your answer in `n`, then run q1.check().
"""
from .core import (
    KINDS,
    Blank,
    Exercise,
    ExerciseSet,
    Result,
    Wrong,
    ____,
    as_number,
    expect_choice,
    expect_equal,
    expect_mapping,
    expect_number,
    expect_sequence,
    expect_set,
    known_mistake,
    show,
)

__all__ = ["____", "Blank", "Wrong", "Result", "Exercise", "ExerciseSet", "KINDS",
           "expect_equal", "expect_number", "expect_sequence", "expect_set",
           "expect_choice", "expect_mapping", "show", "as_number", "known_mistake"]
