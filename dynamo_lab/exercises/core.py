"""Exercise objects with ``check()``, ``hint()`` and ``solution()``.

The learner either assigns the exercise's answer variable and calls
``q.check()``, or passes the answer directly: ``q.check(answer)``. An answer
still set to the blank ``____`` (or ``...``) is "not attempted yet", never a
traceback. A wrong answer is told what is wrong; a checker says it by raising
:class:`Wrong` with a specific message.

Feedback is shown through IPython's ``display`` when a kernel runs (HTML plus
a deterministic ``text/plain``, so nbval can compare it) and printed
otherwise. :meth:`Exercise.evaluate` gives the same verdict without showing it,
for tests.

Examples
--------
>>> q = Exercise("q1", "How many replicas does Dynamo keep with N=3?",
...              var="q1_replicas", expected=3, check=expect_number(),
...              hints=["N is the number of replicas."], solution="q1_replicas = 3")
>>> q.check(____)
q1: not attempted yet. Replace ____ with your answer in `q1_replicas`, then run q1.check().
>>> q.check(2)
q1: not quite. Expected a different number: your answer is 2.
>>> q.check(3)
q1: correct!
>>> q.solved
True
>>> q.hint()
Hint 1 of 2 for q1: N is the number of replicas.
>>> q.hint()
Hint 2 of 2 for q1 (the solution):
q1_replicas = 3

An exercise says what kind of thinking it asks for (``kind``), and whether the
learner commits to an answer before any cell reveals it (``predict_first``):

>>> q = Exercise("q2", "Will the put succeed?", var="q2_ok", expected=True,
...              check=expect_equal("answer"), kind="predict",
...              too_common="True/False appears everywhere in outputs")
>>> q.predict_first, q.kind
(True, 'predict')
"""
from __future__ import annotations

import html
import math
import numbers
import sys
import textwrap
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence

from ..errors import ArgumentError, NotFoundError

__all__ = ["____", "Blank", "Wrong", "Result", "Exercise", "ExerciseSet", "KINDS",
           "expect_equal", "expect_number", "expect_sequence", "expect_set",
           "expect_choice", "expect_mapping", "show", "as_number", "known_mistake"]


class Blank:
    """The placeholder a learner replaces with an answer (learntools' ``____``)."""

    _instance: "Blank | None" = None

    def __new__(cls) -> "Blank":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____"

    def __bool__(self) -> bool:
        return False


____ = Blank()
_MISSING = object()


class Wrong(Exception):
    """Raised by a checker; its message tells the learner what is wrong."""


def _is_blank(answer: Any) -> bool:
    return answer is ____ or answer is Ellipsis


class Result:
    """The verdict on one answer: ``status`` and a message for the learner.

    ``status`` is one of ``"correct"``, ``"incorrect"``, ``"not_attempted"``
    and ``"error"`` (the answer could not be checked at all). Its ``repr`` is
    deterministic text; ``_repr_html_`` colours it for JupyterLab.
    """

    _STYLE = {"correct": ("#e6f4ea", "#1e7e34"), "incorrect": ("#fdecea", "#a71d2a"),
              "not_attempted": ("#eef2f7", "#34495e"), "error": ("#fff4e5", "#8a5300"),
              "hint": ("#fff9db", "#6b5900"), "solution": ("#eef2f7", "#34495e")}

    def __init__(self, name: str, status: str, message: str, code: str = "") -> None:
        self.name, self.status, self.message, self.code = name, status, message, code

    @property
    def correct(self) -> bool:
        return self.status == "correct"

    def __bool__(self) -> bool:
        return self.correct

    def __repr__(self) -> str:
        if self.code:
            return f"{self.message}\n{self.code}"
        return self.message

    def _repr_html_(self) -> str:
        bg, fg = self._STYLE.get(self.status, ("#ffffff", "#000000"))
        body = html.escape(self.message).replace("\n", "<br>")
        if self.code:
            body += f"<pre style=\"margin:6px 0 0 0\">{html.escape(self.code)}</pre>"
        return (f"<div class=\"dl-exercise dl-{self.status}\" style=\"background:{bg};"
                f"color:{fg};border-left:4px solid {fg};padding:6px 10px\">{body}</div>")


def show(obj: Any) -> None:
    """Display ``obj`` in a running kernel, print its ``repr`` otherwise.

    Examples
    --------
    >>> show(Result("q1", "correct", "q1: correct!"))
    q1: correct!
    """
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with Jupyter
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(obj)
    else:
        print(repr(obj))


#: What an exercise asks of the learner. ``predict``: commit to what the
#: engine will do, before a cell shows it. ``code``: write a function, a query
#: or a configuration. ``arithmetic``: work a number out from the source's
#: rules. ``recall``: name a fact or term from the source.
KINDS = ("predict", "code", "arithmetic", "recall")


class Exercise:
    """One exercise of a lesson.

    Parameters
    ----------
    name : str
        Short name shown in messages, and the attribute the lesson module
        binds (``q1``).
    prompt : str
        The question, as the notebook states it.
    var : str
        The variable the learner assigns; ``check()`` with no argument reads
        it from the caller's namespace (the notebook).
    expected : object or callable
        The right answer, or a function of no arguments that computes it from
        the real engine (called once, on first check).
    check : callable
        ``check(answer, expected)`` raises :class:`Wrong` with a specific
        message when the answer is wrong. Build one with ``expect_*``.
    hints : list of str
        The ladder's first steps, shown one at a time by :meth:`hint`: the
        idea, in the source's words, then where to look. The solution is
        always the ladder's last step, so it is not repeated here.
    solution : str
        Python code that assigns ``var``; shown by :meth:`solution` (and as
        the last hint) and run by the tests of the solved lessons.
    success : str, optional
        A sentence added to "correct!", usually the idea to take away.
    kind : {"predict", "code", "arithmetic", "recall"}, optional
        What the exercise asks of the learner (see :data:`KINDS`).
    predict_first : bool, optional
        The learner answers before any cell reveals the answer; the lesson
        tests check that no output above the answer cell shows it. Defaults
        to ``kind == "predict"``.
    shown_as : str or list of str, optional
        How the answer looks when a cell displays it, for that test (default:
        derived from ``expected``, see :meth:`reveal_forms`).
    too_common : str, optional
        Why that test cannot look for the answer (a one-digit number, True);
        the test then skips this exercise, and says why.
    """

    def __init__(self, name: str, prompt: str, *, var: str, expected: Any,
                 check: Callable[[Any, Any], None], hints: Sequence[str] = (),
                 solution: str = "", success: str = "", kind: str | None = None,
                 predict_first: bool | None = None,
                 shown_as: str | Sequence[str] | None = None,
                 too_common: str | None = None) -> None:
        if kind is not None and kind not in KINDS:
            raise ArgumentError(f"exercise {name}: kind {kind!r} is not one of {', '.join(KINDS)}")
        self.name, self.prompt, self.var = name, prompt, var
        self._expected, self._checker = expected, check
        self.hints = list(hints)
        self.solution_code = textwrap.dedent(solution).strip()
        self.success = success
        self.kind = kind
        self.predict_first = (kind == "predict") if predict_first is None else predict_first
        self.shown_as = [shown_as] if isinstance(shown_as, str) else shown_as
        self.too_common = too_common
        self.status = "not_attempted"
        self._hint_shown = 0

    # -- the verdict -----------------------------------------------------
    @property
    def expected(self) -> Any:
        """The right answer (computed on first use when given as a function)."""
        if callable(self._expected):
            self._expected = self._expected()
        return self._expected

    @property
    def solved(self) -> bool:
        """True once a check has passed."""
        return self.status == "correct"

    def evaluate(self, answer: Any) -> Result:
        """Judge ``answer`` without showing anything. O(cost of the checker)."""
        if _is_blank(answer):
            return Result(self.name, "not_attempted",
                          f"{self.name}: not attempted yet. Replace ____ with your answer "
                          f"in `{self.var}`, then run {self.name}.check().")
        try:
            self._checker(answer, self.expected)
        except Wrong as e:
            return Result(self.name, "incorrect", f"{self.name}: not quite. {e}")
        except Exception as e:  # a checker must never hand a learner a traceback
            return Result(self.name, "error",
                          f"{self.name}: could not check this answer "
                          f"({type(e).__name__}: {e}). Compare its type with the question.")
        msg = f"{self.name}: correct!"
        if self.success:
            msg += f" {self.success}"
        return Result(self.name, "correct", msg)

    def check(self, answer: Any = _MISSING) -> None:
        """Check ``answer``, or the variable ``var`` of the calling namespace."""
        if answer is _MISSING:
            caller = sys._getframe(1)
            answer = caller.f_locals.get(self.var, caller.f_globals.get(self.var, ____))
        result = self.evaluate(answer)
        # A learner who once solved it and then broke it should see the new state.
        self.status = result.status
        show(result)

    def reveal_forms(self) -> list[str]:
        """The texts that would give the answer away if an output above the
        answer cell showed them: ``shown_as``, or forms derived from
        ``expected`` (a number as written and with thousands separators; a
        string as is; a list or tuple as its repr).

        Examples
        --------
        >>> Exercise("q", "?", var="v", expected=1666.67, check=expect_number()).reveal_forms()
        ['1666.67', '1,666.67']
        >>> Exercise("q", "?", var="v", expected=["C", "D"], check=expect_sequence()).reveal_forms()
        ["['C', 'D']"]
        """
        if self.shown_as is not None:
            return list(self.shown_as)
        x = self.expected
        if isinstance(x, bool) or x is None:
            return [str(x)]
        if isinstance(x, (numbers.Real, Decimal)):
            forms = [str(x), f"{x:,}"]
            return list(dict.fromkeys(forms))
        if isinstance(x, str):
            return [x]
        if isinstance(x, (list, tuple)):
            return [repr(list(x))]
        return [repr(x)]

    # -- help --------------------------------------------------------------
    def hint(self, n: int | None = None) -> None:
        """Show step ``n`` (1-based) of the hint ladder, or the next one not
        yet shown. The ladder is ``hints`` followed by the solution."""
        steps = len(self.hints) + (1 if self.solution_code else 0)
        if not steps:
            show(Result(self.name, "hint", f"No hints for {self.name}."))
            return
        if n is None:
            n = min(self._hint_shown + 1, steps)
        if not 1 <= n <= steps:
            show(Result(self.name, "hint", f"{self.name} has hints 1 to {steps}; "
                                           f"there is no hint {n}."))
            return
        self._hint_shown = max(self._hint_shown, n)
        if n > len(self.hints):
            show(Result(self.name, "hint", f"Hint {n} of {steps} for {self.name} (the solution):",
                        self.solution_code))
            return
        show(Result(self.name, "hint",
                    f"Hint {n} of {steps} for {self.name}: {self.hints[n - 1]}"))

    def solution(self) -> None:
        """Show code that solves the exercise."""
        show(Result(self.name, "solution", f"Solution for {self.name}:", self.solution_code))

    def __repr__(self) -> str:
        return f"<Exercise {self.name} ({self.status.replace('_', ' ')}): {self.prompt}>"


class ExerciseSet:
    """The exercises of one lesson, in order.

    Examples
    --------
    >>> q = Exercise("q1", "Say 3.", var="a", expected=3, check=expect_number())
    >>> lesson = ExerciseSet("demo", [q])
    >>> lesson.progress()
    demo: 0 of 1 solved
      q1  not attempted  Say 3.
    """

    def __init__(self, title: str, exercises: Iterable[Exercise]) -> None:
        self.title = title
        self.exercises = list(exercises)

    def __iter__(self):
        return iter(self.exercises)

    def __getitem__(self, name: str) -> Exercise:
        for q in self.exercises:
            if q.name == name:
                return q
        raise NotFoundError(name)

    def reset(self) -> None:
        """Forget every verdict and shown hint."""
        for q in self.exercises:
            q.status, q._hint_shown = "not_attempted", 0

    def progress(self) -> None:
        """Show which exercises are solved."""
        done = sum(q.solved for q in self.exercises)
        lines = [f"{self.title}: {done} of {len(self.exercises)} solved"]
        for q in self.exercises:
            lines.append(f"  {q.name}  {q.status.replace('_', ' ')}  {q.prompt}")
        show(Result(self.title, "solution" if done < len(self.exercises) else "correct",
                    "\n".join(lines)))


# -- checkers ------------------------------------------------------------------
def _sentence(parts: list[str]) -> str:
    s = "; ".join(parts)
    return s[:1].upper() + s[1:] + "."


def _kind(x: Any) -> str:
    return type(x).__name__


def expect_equal(what: str = "answer") -> Callable[[Any, Any], None]:
    """A checker: the answer equals the expected value.

    Examples
    --------
    >>> expect_equal("word")("dynamo", "dynamo")
    >>> expect_equal("word")("cassandra", "dynamo")
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: Your word is 'cassandra'; that is not it.
    """
    def check(answer: Any, expected: Any) -> None:
        if answer != expected:
            raise Wrong(f"Your {what} is {answer!r}; that is not it.")
    return check


def as_number(answer: Any, what: str = "number") -> float:
    """``answer`` as a float, or :class:`Wrong` saying it is not a number.
    Decimals count (boto3's resource API returns them); booleans do not.

    >>> as_number(Decimal("2.5"), "RCU")
    2.5
    >>> as_number(True, "RCU")
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: Expected a number (RCU), got a bool: True.
    """
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Real, Decimal)):
        kind = "a number" if what == "number" else f"a number ({what})"
        raise Wrong(f"Expected {kind}, got a {_kind(answer)}: {answer!r}.")
    return float(answer)


def known_mistake(got: float, expected: dict, mistakes: dict[str, str]) -> None:
    """Raise :class:`Wrong` with ``mistakes[k]`` for the first ``k`` whose
    ``expected[k]`` equals ``got`` (within float rounding): the answer a
    learner gets by making that mistake. Returns when none matches.

    >>> known_mistake(2.0, {"strong": 2.0}, {"strong": "That is the strong price."})
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: That is the strong price.
    >>> known_mistake(3.0, {"strong": 2.0}, {"strong": "That is the strong price."})
    """
    for key, message in mistakes.items():
        if math.isclose(got, expected[key]):
            raise Wrong(message)


def expect_number(rel: float = 0.0, abs_tol: float = 0.0,
                  what: str = "number") -> Callable[[Any, Any], None]:
    """A checker: a real number, equal to the expected within the tolerances.

    Examples
    --------
    >>> c = expect_number(abs_tol=0.01, what="efficiency")
    >>> c(0.905, 0.9)
    >>> c(0.8, 0.9)
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: Your efficiency 0.8 is too low.
    >>> c("0.9", 0.9)
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: Expected a number (efficiency), got a str: '0.9'.
    """
    def check(answer: Any, expected: Any) -> None:
        as_number(answer, what)
        if not math.isclose(float(answer), float(expected), rel_tol=rel, abs_tol=abs_tol):
            hint = "too high" if answer > expected else "too low"
            if rel or abs_tol:
                raise Wrong(f"Your {what} {answer!r} is {hint}.")
            raise Wrong(f"Expected a different {what}: your answer is {answer!r}.")
    return check


def _as_list(answer: Any, what: str) -> list:
    if isinstance(answer, (str, bytes)) or not isinstance(answer, Iterable):
        raise Wrong(f"Expected a list of {what}, like ['A', 'B'], "
                    f"got a {_kind(answer)}: {answer!r}.")
    return list(answer)


def expect_sequence(what: str = "items", ordered: bool = True) -> Callable[[Any, Any], None]:
    """A checker: a list with the expected items (in order when ``ordered``).

    Examples
    --------
    >>> c = expect_sequence("node names")
    >>> c(["B", "C", "D"], ["B", "C", "D"])
    >>> c(["C", "B", "D"], ["B", "C", "D"])
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: The right node names, in the wrong order: the list starts with the coordinator and goes clockwise.
    """
    def check(answer: Any, expected: Any) -> None:
        got, want = _as_list(answer, what), list(expected)
        if got == want:
            return
        extra = [x for x in got if x not in want]
        missing = [x for x in want if x not in got]
        if len(got) != len(want) and not extra and not missing:
            raise Wrong(f"Expected {len(want)} {what} without repeats, got {len(got)}.")
        if extra or missing:
            parts = []
            if extra:
                parts.append(f"{extra!r} should not be there")
            if missing:
                parts.append(f"{len(missing)} of the expected {what} "
                             f"{'is' if len(missing) == 1 else 'are'} missing")
            raise Wrong(_sentence(parts))
        if ordered:
            raise Wrong(f"The right {what}, in the wrong order: the list starts with the "
                        f"coordinator and goes clockwise.")
    return check


def expect_set(what: str = "items") -> Callable[[Any, Any], None]:
    """A checker: the same items in any order (a set, list or tuple).

    Examples
    --------
    >>> expect_set("nodes")(["E", "D", "F"], {"D", "E", "F"})
    >>> expect_set("nodes")({"D", "E"}, {"D", "E", "F"})
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: 1 of the expected nodes is missing.
    """
    def check(answer: Any, expected: Any) -> None:
        got, want = set(_as_list(answer, what)), set(expected)
        if got == want:
            return
        extra, missing = sorted(got - want, key=str), sorted(want - got, key=str)
        parts = []
        if extra:
            parts.append(f"{extra!r} should not be there")
        if missing:
            parts.append(f"{len(missing)} of the expected {what} "
                         f"{'is' if len(missing) == 1 else 'are'} missing")
        raise Wrong(_sentence(parts))
    return check


def expect_choice(options: Iterable[Any], what: str = "choice",
                  why: dict | None = None) -> Callable[[Any, Any], None]:
    """A checker: one of ``options``; ``why`` maps a wrong option to its explanation.

    Examples
    --------
    >>> c = expect_choice("abc", why={"a": "Virtual time ignores the wall clock."})
    >>> c("b", "b")
    >>> c("a", "b")
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: Virtual time ignores the wall clock.
    """
    opts = list(options)

    def check(answer: Any, expected: Any) -> None:
        if answer not in opts:
            raise Wrong(f"Pick one of {opts!r}; {answer!r} is not one of them.")
        if answer != expected:
            raise Wrong((why or {}).get(answer, f"{answer!r} is not the right {what}."))
    return check


def expect_mapping(what: str = "entries",
                   value: str = "value") -> Callable[[Any, Any], None]:
    """A checker: a dict equal to the expected one, reporting the first difference.

    Examples
    --------
    >>> c = expect_mapping("moves", "new owner")
    >>> c({"k1": "B"}, {"k1": "B"})
    >>> c({"k1": "C"}, {"k1": "B"})
    Traceback (most recent call last):
    ...
    dynamo_lab.exercises.core.Wrong: The new owner for 'k1' is not 'C'.
    """
    def check(answer: Any, expected: Any) -> None:
        if not isinstance(answer, dict):
            raise Wrong(f"Expected a dict of {what}, got a {_kind(answer)}: {answer!r}.")
        extra = sorted(set(answer) - set(expected), key=str)
        missing = sorted(set(expected) - set(answer), key=str)
        if extra:
            raise Wrong(f"{extra!r} should not be in the dict.")
        if missing:
            raise Wrong(f"{len(missing)} of the {len(expected)} {what} "
                        f"{'is' if len(missing) == 1 else 'are'} missing.")
        for k in sorted(expected, key=str):
            if answer[k] != expected[k]:
                raise Wrong(f"The {value} for {k!r} is not {answer[k]!r}.")
    return check
