#!/usr/bin/env python3
"""Set up dynamo_lab and run its main jobs, from nothing but Python 3.

    python3 dev.py lab     # make .venv, install, open JupyterLab on the lessons
    python3 dev.py test    # make .venv, install, run every test (unit, property,
                           # doctests, notebooks, browser)
    python3 dev.py wheelhouse DIR [--test]
                           # write every wheel the pinned set needs into DIR

Anything after ``--`` goes to JupyterLab, pytest or ``pip download``, e.g.
``python3 dev.py test -- -k ring -x``.

No network (a workshop whose Wi-Fi fails): ``wheelhouse`` writes a folder of
wheels that a USB stick can carry: the pins in binder/requirements.txt, this
package's own wheel, the ``lab`` extra (voila) and the build tools, with
``--test`` the test extra as well. With ``DYNAMO_LAB_WHEELHOUSE=DIR`` set,
``lab`` and ``test`` install from DIR alone (``pip --no-index``), never from
an index::

    python3 dev.py wheelhouse wheelhouse            # at home, with network
    DYNAMO_LAB_WHEELHOUSE=wheelhouse python3 dev.py lab   # in the room

Wheels are for one platform; for a room of Macs add pip's own options, e.g.
``python3 dev.py wheelhouse wh-mac -- --platform macosx_11_0_arm64
--python-version 3.11``. DIR/requirements.txt lists what DIR holds, so
``pip install --no-index --find-links DIR -r DIR/requirements.txt`` works
without this script too.

This script uses only the standard library, so it runs before anything is
installed. It keeps a stamp of pyproject.toml in .venv and reinstalls only when
that changes. The browser tests need Debian's Chromium at /usr/bin/chromium;
``test`` installs it with apt-get when it is missing and we are root. The
JavaScript SDK and dynalite tests need Node.js (20 or later) and npm; ``test``
installs Debian's ``nodejs`` and ``npm`` when ``node`` is missing and we are
root, and otherwise says how to get them (the npm packages themselves are
installed, pinned, by the tests' set-up).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
CHROMIUM = Path("/usr/bin/chromium")
PINS = ROOT / "binder" / "requirements.txt"
WHEELHOUSE_VAR = "DYNAMO_LAB_WHEELHOUSE"
#: What building this package from source needs ([build-system] requires).
BUILD_TOOLS = ["setuptools>=68", "wheel"]


def say(msg: str) -> None:
    print(f"[dev] {msg}", flush=True)


def venv_python() -> Path:
    win = VENV / "Scripts" / "python.exe"
    return win if win.exists() else VENV / "bin" / "python"


def run(cmd: list[str], **kw) -> None:
    say(" ".join(str(c) for c in cmd))
    subprocess.run([str(c) for c in cmd], check=True, **kw)


def ensure_venv(extras: str) -> Path:
    if sys.version_info < (3, 10):
        sys.exit(f"[dev] dynamo_lab needs Python 3.10 or newer; this is {sys.version.split()[0]}")
    py = venv_python()
    if not py.exists():
        say(f"creating {VENV}")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as exc:  # Debian ships venv without ensurepip
            sys.exit(f"[dev] could not create a virtual environment ({exc}).\n"
                     "      On Debian/Ubuntu: sudo apt-get install python3-venv")
        py = venv_python()
    stamp = VENV / f".installed-{extras}"
    want = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != want:
        pip = [py, "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        house = os.environ.get(WHEELHOUSE_VAR)
        if house:
            pip += offline_options(Path(house), extras)
        try:
            run([*pip, "-e", f"{ROOT}[{extras}]"])
        except subprocess.CalledProcessError:
            if not house:
                raise
            sys.exit(f"[dev] installing from the wheelhouse {house} failed (see pip above). "
                     f"Build it with network: python3 dev.py wheelhouse {house}"
                     + (" --test" if "test" in extras else ""))
        stamp.write_text(want)
    return py


def offline_options(house: Path, extras: str) -> list[str]:
    """pip options that install from the wheelhouse ``house`` and nothing else."""
    if not (house / "requirements.txt").is_file():
        sys.exit(f"[dev] {WHEELHOUSE_VAR}={house} is not a wheelhouse (no requirements.txt "
                 f"there). Make one with network: python3 dev.py wheelhouse {house}")
    say(f"installing from the wheelhouse {house}, no index")
    return ["--no-index", "--find-links", str(house.resolve())]


def cmd_wheelhouse(args: list[str], extra: list[str]) -> int:
    """Write every wheel the pinned set needs into ``args[0]``."""
    flags = [a for a in args if a.startswith("-")]
    if len(args) - len(flags) != 1 or set(flags) - {"--test"}:
        print(__doc__)
        return 2
    house = Path(next(a for a in args if not a.startswith("-"))).resolve()
    house.mkdir(parents=True, exist_ok=True)
    py = sys.executable if _has_pip(sys.executable) else str(ensure_bare_venv())
    extras = "lab,test" if "--test" in flags else "lab"
    for old in house.glob("dynamo_lab-*.whl"):
        old.unlink()  # one package wheel: the one of this checkout
    # The package's own wheel first, so the resolve below installs it from a
    # file and never from an index that may hold another 'dynamo_lab'. It is
    # built from a copy of the checkout: setuptools never cleans build/, and a
    # module deleted since the last build would otherwise ship in the wheel.
    with tempfile.TemporaryDirectory() as tmp:
        run([py, "-m", "pip", "wheel", "-q", "--no-deps", "-w", house,
             copy_source(Path(tmp) / "src")])
    wheel = next(house.glob("dynamo_lab-*.whl"))
    # One resolve of pins + package + extras + build tools, under the pins, so
    # the wheelhouse holds one version of each and they fit together.
    download = [py, "-m", "pip", "download", "-q", "--disable-pip-version-check",
                "--only-binary=:all:", "-d", house, "-c", PINS, *extra]
    run([*download, "-r", PINS, f"{wheel}[{extras}]", *BUILD_TOOLS])
    if "--platform" in extra:
        # pip judges markers such as `platform_system == "Darwin"` on this
        # machine, not the target: add what the target's markers want.
        for _ in range(5):
            missing = _marker_deps(py, house, extra)
            if not missing:
                break
            run([*download, *missing])
    names = sorted(w.name for w in house.glob("*.whl"))
    lock = [_pin_of(n) for n in names if not n.startswith("dynamo_lab-")]
    (house / "requirements.txt").write_text(
        "# Written by `python3 dev.py wheelhouse`: what this folder holds.\n"
        "# pip install --no-index --find-links . -r requirements.txt dynamo_lab\n"
        + "".join(f"{line}\n" for line in lock))
    mb = sum(p.stat().st_size for p in house.glob("*.whl")) / 1e6
    say(f"{house}: {len(names)} wheels, {mb:.0f} MB. In the room, with no network:")
    say(f"  {WHEELHOUSE_VAR}={house} python3 dev.py {'test' if '--test' in flags else 'lab'}")
    return 0


_MARKERS = r"""
import json, pathlib, sys, zipfile
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name
house, env = pathlib.Path(sys.argv[1]), json.loads(sys.argv[2])
have, want = set(), set()
for w in house.glob("*.whl"):
    have.add(canonicalize_name(w.name.split("-")[0]))
    with zipfile.ZipFile(w) as z:
        meta = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        for line in z.read(meta).decode("utf-8").splitlines():
            if line.startswith("Requires-Dist:"):
                req = Requirement(line.split(":", 1)[1].strip())
                if req.marker is not None and req.marker.evaluate(dict(env, extra="")):
                    want.add((canonicalize_name(req.name), str(req.specifier)))
print(json.dumps(sorted(n + s for n, s in want if n not in have)))
"""


def _marker_deps(py: str, house: Path, extra: list[str]) -> list[str]:
    """Requirements the wheels in ``house`` have on the ``--platform`` target
    (by their markers) that no wheel there satisfies yet."""
    import json

    plat = extra[extra.index("--platform") + 1] if "--platform" in extra[:-1] else ""
    version = extra[extra.index("--python-version") + 1] \
        if "--python-version" in extra[:-1] else "{}.{}".format(*sys.version_info)
    system, sys_platform, os_name = (
        ("Darwin", "darwin", "posix") if plat.startswith("macosx") else
        ("Windows", "win32", "nt") if plat.startswith("win") else ("Linux", "linux", "posix"))
    env = {"platform_system": system, "sys_platform": sys_platform, "os_name": os_name,
           "python_version": version, "python_full_version": f"{version}.0",
           "implementation_name": "cpython", "platform_python_implementation": "CPython",
           "platform_machine": "arm64" if "arm64" in plat else "x86_64"}
    out = subprocess.run([py, "-c", _MARKERS, str(house), json.dumps(env)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def copy_source(dest: Path) -> Path:
    """Copy the checkout's own files (git's view when there is git) to ``dest``."""
    try:
        out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"],
                             cwd=ROOT, capture_output=True, check=True).stdout
        files = [f for f in out.decode().split("\0") if f and (ROOT / f).is_file()]
    except (OSError, subprocess.CalledProcessError):  # no git: a copied folder
        skip = {".venv", ".git", "build", "dist", "__pycache__", ".pytest_cache"}
        files = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and not skip & set(p.relative_to(ROOT).parts)]
    for f in files:
        (dest / f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / f, dest / f)
    return dest


def _pin_of(wheel_name: str) -> str:
    """``name==version`` from a wheel's file name (PEP 427)."""
    name, version = wheel_name.split("-")[:2]
    return f"{name}=={version}"


def _has_pip(python: str) -> bool:
    return subprocess.run([python, "-c", "import pip"], capture_output=True,
                          check=False).returncode == 0


def ensure_bare_venv() -> Path:
    """.venv's Python, with only pip (Debian's python3 may lack pip)."""
    if not venv_python().exists():
        say(f"creating {VENV}")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    return venv_python()


def ensure_chromium() -> None:
    if CHROMIUM.exists():
        return
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if apt and is_root:
        say("installing Debian's chromium for the browser tests")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run([apt, "update", "-qq"], env=env)
        run([apt, "install", "-y", "-qq", "chromium"], env=env)
    else:
        # The browser test itself fails with instructions under CI; on a
        # laptop it skips with the same instructions.
        say("Chromium is missing at /usr/bin/chromium; the browser tests need it "
            "(Debian/Ubuntu: sudo apt-get install chromium)")


def _node_major() -> int | None:
    node = shutil.which("node")
    if node is None:
        return None
    out = subprocess.run([node, "--version"], capture_output=True, text=True).stdout
    try:
        return int(out.strip().lstrip("v").split(".")[0])
    except ValueError:
        return None


def ensure_node() -> None:
    major = _node_major()
    if major is not None and major >= 20 and shutil.which("npm"):
        return
    apt = shutil.which("apt-get")
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if major is None and apt and is_root:
        say("installing Debian's nodejs and npm for the JavaScript SDK and dynalite tests")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run([apt, "update", "-qq"], env=env)
        run([apt, "install", "-y", "-qq", "nodejs", "npm"], env=env)
        major = _node_major()
    if major is None or major < 20 or not shutil.which("npm"):
        say(f"Node.js 20 or later with npm is needed by the JavaScript SDK tests "
            f"(found: {'none' if major is None else f'v{major}'}); get it from "
            "https://nodejs.org or your package manager")


def split_args(argv: list[str]) -> tuple[list[str], list[str]]:
    if "--" in argv:
        i = argv.index("--")
        return argv[:i], argv[i + 1:]
    return argv, []


def cmd_lab(extra: list[str]) -> int:
    py = ensure_venv("lab")
    args = [str(py), "-m", "jupyter", "lab", f"--notebook-dir={ROOT / 'lessons'}", *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        # JupyterLab refuses to start as root (containers, Binder-like boxes)
        # unless told; the lab is a local teaching server, so say so for you.
        args.append("--allow-root")
    say(" ".join(args))
    os.chdir(ROOT)
    return subprocess.call(args)


def cmd_test(extra: list[str]) -> int:
    py = ensure_venv("test,lab")
    ensure_chromium()
    ensure_node()
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    # One worker per core (pytest-xdist): notebooks and servers run in their
    # own processes, so the suite spreads well. `-- -n 0` runs it serially.
    workers = [] if any(a.startswith("-n") for a in extra) else ["-n", "auto"]
    args = [str(py), "-m", "pytest", "tests", "dynamo_lab", "--doctest-modules",
            *workers, *extra]
    say(" ".join(args))
    return subprocess.call(args, cwd=ROOT, env=env)


def main(argv: list[str]) -> int:
    ours, extra = split_args(argv)
    if ours[:1] == ["wheelhouse"]:
        return cmd_wheelhouse(ours[1:], extra)
    if len(ours) != 1 or ours[0] not in {"lab", "test"}:
        print(__doc__)
        return 2
    return cmd_lab(extra) if ours[0] == "lab" else cmd_test(extra)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
