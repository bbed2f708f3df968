# JupyterHub for one room: every learner gets their own JupyterLab with the
# lessons and dynamo_lab, on one shared machine.
#
#     DYNAMO_LAB_HUB_PASSWORD='a-room-password' \
#         jupyterhub -f deploy/jupyterhub/jupyterhub_config.py
#
# Tested by tests/test_kit_jupyterhub.py (two users log in, each runs lessons
# 00 and 11 in their own server, neither sees the other's tables). Read
# docs/instructor/jupyterhub.md first; the settings below come from these
# environment variables, so the file itself needs no editing:
#
#   DYNAMO_LAB_HUB_URL       where the hub listens (default http://:8000, every
#                            interface, so laptops on the room's network reach it)
#   DYNAMO_LAB_HUB_PASSWORD  the room's shared password (8+ characters); unset,
#                            anyone may log in under any name with any password
#   DYNAMO_LAB_HUB_ADMIN     the instructor's user name (default: instructor)
#   DYNAMO_LAB_HUB_ADMIN_PASSWORD  the instructor's own password (32+ characters;
#                            with a room password, no admin can log in without it)
#   DYNAMO_LAB_HUB_STATE     the hub's database, cookie secret and the learners'
#                            folders (default /srv/dynamo_lab_hub)
#   DYNAMO_LAB_HUB_LESSONS   the lessons copied into each new learner's folder
#                            (default: the lessons/ of this checkout)
#   DYNAMO_LAB_ENDPOINT      passed to every learner: the DynamoDB lessons then
#                            use that endpoint (see docs/instructor/before-the-day.md)
#
# Isolation: each learner's kernels are their own processes, so the lab's
# in-process DynamoDB (and its tables) is private to each notebook, and the
# hub lets a user reach only their own server. All servers run as the hub's
# Unix user, though (SimpleLocalProcessSpawner): code a learner runs could read
# another learner's folder. For a room of strangers, use system accounts
# (LocalProcessSpawner) or Zero to JupyterHub, as docs/instructor/jupyterhub.md says.
import os
import shutil
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (JupyterHub provides get_config to config files)

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get("DYNAMO_LAB_HUB_STATE", "/srv/dynamo_lab_hub"))
LESSONS = Path(os.environ.get("DYNAMO_LAB_HUB_LESSONS", HERE.parent.parent / "lessons"))
BIN = Path(sys.executable).parent          # this environment's jupyterhub-singleuser
PASSWORD = os.environ.get("DYNAMO_LAB_HUB_PASSWORD")
CHP_CACHE = Path.home() / ".cache" / "dynamo_lab" / "chp" / "node_modules" / ".bin"

STATE.mkdir(parents=True, exist_ok=True)
if not LESSONS.is_dir():
    sys.exit(f"jupyterhub_config: no lessons folder at {LESSONS}; "
             "set DYNAMO_LAB_HUB_LESSONS to the lessons/ of a dynamo_lab checkout")

# -- the hub ------------------------------------------------------------------
c.JupyterHub.bind_url = os.environ.get("DYNAMO_LAB_HUB_URL", "http://:8000")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True        # stopping the hub stops every server
# configurable-http-proxy comes from npm: on PATH, or where the tests install it.
_chp = shutil.which("configurable-http-proxy") or str(CHP_CACHE / "configurable-http-proxy")
c.ConfigurableHTTPProxy.command = [_chp]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")

# -- who may log in -------------------------------------------------------------
ADMIN = os.environ.get("DYNAMO_LAB_HUB_ADMIN", "instructor")
ADMIN_PASSWORD = os.environ.get("DYNAMO_LAB_HUB_ADMIN_PASSWORD")
if PASSWORD:
    # One password for the room, any user name (JupyterHub 5.3+). The
    # instructor's admin account needs its own password of 32+ characters.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = PASSWORD
    if ADMIN_PASSWORD:
        c.SharedPasswordAuthenticator.admin_password = ADMIN_PASSWORD
        c.Authenticator.admin_users = {ADMIN}
else:
    # No password: a demo on one laptop. Anyone reaching the port gets in.
    c.JupyterHub.authenticator_class = "dummy"
    c.Authenticator.admin_users = {ADMIN}
c.Authenticator.allow_all = True

# -- each learner's server ------------------------------------------------------
c.JupyterHub.spawner_class = "simple"      # SimpleLocalProcessSpawner: no system accounts
c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "users" / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/00_welcome.ipynb"
c.Spawner.start_timeout = 120              # forty first starts on a small machine
c.Spawner.http_timeout = 90
c.Spawner.environment = {
    k: os.environ[k] for k in ("DYNAMO_LAB_ENDPOINT", "AWS_REGION", "AWS_DEFAULT_REGION")
    if k in os.environ}
c.Spawner.args = ["--ServerApp.terminals_enabled=False"]
if hasattr(os, "geteuid") and os.geteuid() == 0:
    # A container runs everything as root, and Jupyter refuses root unless
    # told. On a real machine, run the hub as an ordinary user instead.
    c.Spawner.args.append("--allow-root")


def copy_lessons(spawner):
    """Give a new learner the lessons; a returning learner keeps their edits."""
    home = Path(spawner.home_dir)
    home.mkdir(parents=True, exist_ok=True)
    for nb in sorted(LESSONS.iterdir()):
        if nb.suffix in {".ipynb", ".md"} and not (home / nb.name).exists():
            shutil.copy2(nb, home / nb.name)


c.Spawner.pre_spawn_hook = copy_lessons
