"""``dynamo-lab doctor``: the install check a learner runs at the door.

Each check answers one question a room needs answered before the first
lesson, with one line and one verdict (``ok``, ``FAIL`` or ``skip``), and,
when it fails, what to do about it:

1. the Python version is one the package supports;
2. the package and the libraries the lessons draw with are installed, with
   their JupyterLab extensions (widgets, anywidget, plotly);
3. a Jupyter kernel starts and can import the package;
4. a view renders to its static form (the SVG that nbconvert and GitHub show);
5. the in-process DynamoDB answers a real boto3 client;
6. the outside endpoint in ``DYNAMO_LAB_ENDPOINT``, if one is set, answers.

A failing check never stops the others, and nothing prints a traceback: the
verdict names the error and the fix. The exit code is 0 when nothing failed
(skips are fine) and 1 otherwise, so a script can run it too.

Examples
--------
>>> r = check_python()
>>> r.status
'ok'
>>> print(Result("a view renders", "FAIL", "ValueError: no", "reinstall").line())
FAIL  a view renders: ValueError: no
      fix: reinstall
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..text import plural

__all__ = [
    "CHECKS",
    "Result",
    "check_endpoint",
    "check_extensions",
    "check_kernel",
    "check_lab_dynamodb",
    "check_packages",
    "check_python",
    "check_view",
    "main",
    "report",
    "run_checks",
]

OK, FAIL, SKIP = "ok", "FAIL", "skip"

#: Libraries whose absence breaks a lesson, with the module that proves them.
_PACKAGES = (("dynamo_lab", "dynamo_lab"), ("boto3", "boto3"), ("plotly", "plotly"),
             ("anywidget", "anywidget"), ("ipywidgets", "ipywidgets"),
             ("networkx", "networkx"), ("sortedcontainers", "sortedcontainers"))
#: JupyterLab's prebuilt extensions the views need, by folder under
#: ``share/jupyter/labextensions``: without them a widget shows as text.
_EXTENSIONS = (("@jupyter-widgets/jupyterlab-manager", "ipywidgets"),
               ("anywidget", "anywidget"), ("jupyterlab-plotly", "plotly"))
_REINSTALL = "pip install --upgrade 'dynamo_lab[lab]' (or: python3 dev.py lab)"
_KERNEL_TIMEOUT_S = 30.0
_ENDPOINT_TIMEOUT_S = 5


@dataclass(frozen=True)
class Result:
    """One check's verdict: ``status`` is ``"ok"``, ``"FAIL"`` or ``"skip"``."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        """The verdict as the learner reads it (two lines when it failed)."""
        text = f"{self.status:<5} {self.name}: {self.detail}"
        if self.status == FAIL and self.fix:
            text += f"\n      fix: {self.fix}"
        return text


def _error(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {msg}" if msg else type(exc).__name__


def check_python() -> Result:
    """Is this Python one that ``requires-python`` allows (3.10 or newer)?"""
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < (3, 10):  # noqa: UP036  (the check is the point)
        return Result("Python", FAIL, f"{version} is too old; dynamo_lab needs 3.10 or newer",
                      "install Python 3.10+ (python.org, or your package manager)")
    return Result("Python", OK, f"{version} (needs 3.10 or newer)")


def check_packages() -> Result:
    """Do the package and the libraries the lessons import load?"""
    from importlib import import_module, metadata

    found, missing = [], []
    for dist, module in _PACKAGES:
        try:
            import_module(module)
            found.append(f"{dist} {metadata.version(dist)}")
        except Exception as exc:  # noqa: BLE001  (an import error, or a broken install)
            missing.append(f"{dist} ({_error(exc)})")
    if missing:
        return Result("packages", FAIL, "cannot load " + ", ".join(missing), _REINSTALL)
    return Result("packages", OK, ", ".join(found))


def check_extensions(paths: Sequence[str] | None = None) -> Result:
    """Are the JupyterLab extensions that draw widgets and plotly installed?

    ``paths`` are the ``labextensions`` folders to look in (default:
    Jupyter's data path, as JupyterLab itself searches it).
    """
    import json

    if paths is None:
        from jupyter_core.paths import jupyter_path
        paths = jupyter_path("labextensions")
    found, missing = [], []
    for name, owner in _EXTENSIONS:
        for base in paths:
            pkg = os.path.join(base, *name.split("/"), "package.json")
            if os.path.isfile(pkg):
                with open(pkg, encoding="utf-8") as f:
                    found.append(f"{name} {json.load(f).get('version', '?')}")
                break
        else:
            missing.append(f"{name} (from {owner})")
    if missing:
        return Result("JupyterLab extensions", FAIL, "missing " + ", ".join(missing),
                      f"reinstall them into this environment: {_REINSTALL}")
    return Result("JupyterLab extensions", OK, ", ".join(found))


def check_kernel(kernel_name: str = "python3", timeout: float = _KERNEL_TIMEOUT_S) -> Result:
    """Does the kernel the notebooks use start, and can it import the package?"""
    name = f"a kernel starts ({kernel_name})"
    try:
        from jupyter_client.manager import start_new_kernel
    except ImportError as exc:
        return Result(name, FAIL, f"no Jupyter kernel machinery ({_error(exc)})", _REINSTALL)
    t0 = time.monotonic()
    try:
        # The kernel's own stderr chatter (TCP transport warnings) is not a
        # verdict; a kernel that cannot start shows up as the exception.
        km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=timeout,
                                  stderr=subprocess.DEVNULL)
    except Exception as exc:  # noqa: BLE001  (a verdict, never a traceback)
        return Result(name, FAIL, f"it did not start: {_error(exc)}",
                      "python -m ipykernel install --user (in this environment)")
    out: list[str] = []

    def hook(msg: dict) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

    try:
        kc.execute_interactive("import sys, dynamo_lab; print(dynamo_lab.__version__, "
                               "sys.executable)", timeout=timeout, output_hook=hook)
    except Exception as exc:  # noqa: BLE001  (a verdict, never a traceback)
        out.append(_error(exc))
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    text = "".join(out).strip()
    took = time.monotonic() - t0
    if "Error" in text or not text:
        return Result(name, FAIL, f"it started but cannot import dynamo_lab ({text or 'no answer'})",
                      "the python3 kernel belongs to another Python: run "
                      f"{sys.executable} -m ipykernel install --user")
    version, _, exe = text.partition(" ")
    return Result(name, OK, f"imports dynamo_lab {version} in {took:.1f} s ({exe})")


def check_view() -> Result:
    """Does a view draw its static SVG (the form nbconvert and nbval see)?"""
    from dynamo_lab import Ring
    from dynamo_lab.viz import RingView

    ring = Ring(seed=1)
    for node in ("A", "B", "C"):
        ring.add_node(node)
    view = RingView(ring)
    html = view._repr_html_()
    if "<svg" not in html:
        return Result("a view renders", FAIL, "RingView drew no SVG", _REINSTALL)
    return Result("a view renders", OK, f"{view!r} as {len(html) // 1024 + 1} KB of static SVG")


def check_lab_dynamodb() -> Result:
    """Does the in-process DynamoDB answer boto3 (CreateTable, PutItem, GetItem)?"""
    from dynamo_lab import DynamoDB

    c = DynamoDB(seed=0).client(retries=0)
    c.create_table(TableName="doctor", BillingMode="PAY_PER_REQUEST",
                   KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    c.get_waiter("table_exists").wait(TableName="doctor")  # virtual time: no real wait
    c.put_item(TableName="doctor", Item={"pk": {"S": "door"}, "ok": {"BOOL": True}})
    item = c.get_item(TableName="doctor", Key={"pk": {"S": "door"}},
                      ConsistentRead=True).get("Item")
    if item != {"pk": {"S": "door"}, "ok": {"BOOL": True}}:
        return Result("the in-process DynamoDB", FAIL, f"GetItem returned {item!r}", _REINSTALL)
    return Result("the in-process DynamoDB", OK, "CreateTable, PutItem, GetItem answered")


def check_endpoint(url: str | None = None) -> Result:
    """Does the outside endpoint (``url``, else ``DYNAMO_LAB_ENDPOINT``) answer?"""
    from dynamo_lab.dynamodb.backend import AWS, ENV_VAR

    url = url if url is not None else os.environ.get(ENV_VAR) or None
    name = "outside endpoint"
    if not url:
        return Result(name, SKIP, f"{ENV_VAR} is not set; the lessons use the in-process lab")
    from botocore.config import Config

    from dynamo_lab.dynamodb.wire.connect import connect
    from dynamo_lab.exercises.endpoint import REFUSED, error_code

    cfg = Config(connect_timeout=_ENDPOINT_TIMEOUT_S, read_timeout=_ENDPOINT_TIMEOUT_S)
    where = "AWS" if url.lower() == AWS else url
    try:
        c = connect(None if url.lower() == AWS else url, retries=0, config=cfg)
        n = len(c.list_tables(Limit=10).get("TableNames", []))
    except Exception as exc:  # noqa: BLE001  (a verdict, never a traceback)
        if where == "AWS":
            fix = "check your AWS credentials and region (aws configure, or AWS_PROFILE)"
        elif type(exc).__name__ == "NoCredentialsError":
            # Only loopback endpoints get placeholder keys (connect.is_local).
            fix = ("the lab's server accepts any keys, but boto3 will not sign without "
                   "some: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to any value")
        elif error_code(exc) in REFUSED:
            # the server answered: it checks signatures (serve --credentials)
            fix = ("the server refused your key or secret: paste the export lines of your "
                   "room card again (DYNAMO_LAB_ACCESS_KEY_ID and DYNAMO_LAB_SECRET_ACCESS_KEY), "
                   "then restart JupyterLab from that terminal")
        else:
            fix = (f"is the server running and reachable from here? Unset {ENV_VAR} "
                   "to use the in-process lab instead")
        return Result(name, FAIL, f"{where} did not answer ListTables: {_error(exc)}", fix)
    return Result(name, OK, f"{where} answered ListTables ({plural(n, 'table')} visible)")


#: The checks in the order they run and print.
CHECKS: tuple[tuple[str, Callable[[], Result]], ...] = (
    ("Python", check_python),
    ("packages", check_packages),
    ("JupyterLab extensions", check_extensions),
    ("a kernel starts", check_kernel),
    ("a view renders", check_view),
    ("the in-process DynamoDB", check_lab_dynamodb),
    ("outside endpoint", check_endpoint),
)


def run_checks(checks: Sequence[tuple[str, Callable[[], Result]]] = CHECKS,
               echo: Callable[[str], None] | None = None) -> list[Result]:
    """Run ``checks`` in order; an exception becomes that check's FAIL verdict.

    ``echo`` is called with each verdict line as soon as it is known.

    >>> def broken():
    ...     raise OSError("disk full")
    >>> [r] = run_checks([("broken", broken)])
    >>> print(r.line())  # doctest: +ELLIPSIS
    FAIL  broken: OSError: disk full
          fix: pip install --upgrade ...
    """
    results = []
    for name, check in checks:
        try:
            r = check()
        except Exception as exc:  # noqa: BLE001  (a verdict, never a traceback)
            r = Result(name, FAIL, _error(exc), _REINSTALL)
        results.append(r)
        if echo is not None:
            echo(r.line())
    return results


def report(results: Sequence[Result], seconds: float) -> str:
    """The closing verdict line.

    >>> report([Result("a", "ok", ""), Result("b", "skip", "")], 1.25)
    'The one check passed (1 skipped) in 1.2 s: ready for the lessons.'
    >>> report([Result("a", "ok", ""), Result("b", "FAIL", "")], 0.5)[:31]
    '1 of 2 checks FAILED (b) in 0.5'
    """
    failed = [r for r in results if r.status == FAIL]
    skipped = sum(r.status == SKIP for r in results)
    ran = len(results) - skipped
    if failed:
        names = ", ".join(r.name for r in failed)
        which = "The one check" if ran == 1 else f"{len(failed)} of {ran} checks"
        return f"{which} FAILED ({names}) in {seconds:.1f} s: " \
               "not ready; see the fix lines above, or show this to the instructor."
    extra = f" ({skipped} skipped)" if skipped else ""
    which = "The one check" if ran == 1 else f"All {ran} checks"
    return f"{which} passed{extra} in {seconds:.1f} s: ready for the lessons."


def main(endpoint: str | None = None) -> int:
    """Run every check, print one line each and the verdict; 0 if none failed."""
    checks = list(CHECKS)
    if endpoint is not None:
        checks[-1] = ("outside endpoint", lambda: check_endpoint(endpoint))
    print("dynamo-lab doctor: checking this machine for the lessons", flush=True)
    t0 = time.monotonic()
    results = run_checks(checks, echo=lambda s: print(s, flush=True))
    print(report(results, time.monotonic() - t0), flush=True)
    return 1 if any(r.status == FAIL for r in results) else 0
