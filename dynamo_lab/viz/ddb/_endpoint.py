"""What the endpoint views share: a base class over recorded calls, small
helpers, and the lab's internals fetched from a served lab.

The endpoint views read the ``client.*`` events that :func:`~dynamo_lab.viz.record`
writes (what any client sees), and may add the lab's internals when the
log has them. On the lab in the notebook the internals are in the
service's own log. Against ``dynamo-lab serve`` (a room's shared server)
:class:`LabEvents` asks the server for them: ``GET /_lab/events``, signed
with the learner's own credentials, answers the events of the learner's
own namespace only, and the recorder merges them into its log, so the
partition and capacity views draw the learner's own tables. Colours are written on each mark as attributes, so a viewer
that strips ``<style>`` (GitHub) still draws them; the stylesheet adds
hover and transitions only.

Examples
--------
>>> clip("a long partition key value", 10)
'a long pa…'
>>> units_text(0.5), units_text(None), units_text(3.0)
('0.5', '–', '3')
>>> EVENT_COLORS["INSERT"]
'#59a14f'
>>> own_text({"w": 9, "h": 9, "items": [["text", "a", {"font-size": 8.5, "fill": "#fff"}, "x"]]})
{'w': 9, 'h': 9, 'items': [['text', 'a', {'font-size': 8.5, 'fill': '#fff', 'style': 'font-size:8.5px;fill:#fff'}, 'x']]}
"""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from ...errors import OptionValueError
from ..svg import css
from ._base import DDB_CSS, DdbView, DdbWidget, ddb_html, scene_svg

__all__ = ["EndpointView", "EndpointWidget", "ENDPOINT_CSS", "clip", "units_text", "own_text",
           "EVENT_COLORS", "ROLE_COLORS", "ZONES3", "LabEvents", "EVENTS_PATH", "HEALTH_PREFIX"]

#: Where a dynamo-lab server answers a caller's own namespace's events.
EVENTS_PATH = "/_lab/events"
#: How a dynamo-lab server's health check (``GET /``) begins.
HEALTH_PREFIX = "healthy: dynamo-lab"
_PAGE = 1000
_END = 2 ** 62      # a position past any log's end: the server answers its end as ``next``

#: stream record colours by eventName
EVENT_COLORS = {"INSERT": "#59a14f", "MODIFY": "#4e79a7", "REMOVE": "#e15759"}
#: item marks: known, returned by the chosen call, read then filtered out, written
ROLE_COLORS = {"known": "#eeeeee", "read": "#4e79a7", "filtered": "#f28e2b",
               "written": "#59a14f", "deleted": "#bbbbbb", "stale": "#e15759"}
#: the three availability zones a replica group spans, as the deck draws them
ZONES3 = ("AZ-a", "AZ-b", "AZ-c")

ENDPOINT_CSS = """
.dl-view .dl-call:hover,.dl-view .dl-item:hover,.dl-view .dl-rec:hover,.dl-view .dl-key-dot:hover{stroke:#222;stroke-width:1.5}
.dl-view .dl-item,.dl-view .dl-rec,.dl-view .dl-key-dot,.dl-view .dl-attr{transition:fill .4s,x .4s,y .4s,cx .4s,width .4s;animation:dl-in .5s ease-out}
.dl-view .dl-call{animation:dl-in .5s ease-out}
.dl-view .dl-err{fill:#d62728;font-weight:600}
.dl-view .dl-ok{fill:#2b7a2b}
"""


def clip(text: Any, n: int) -> str:
    """``text`` cut to ``n`` characters with an ellipsis."""
    s = "" if text is None else str(text)
    return s if len(s) <= n else s[:n - 1] + "…"


def own_text(scene: dict) -> dict:
    """The scene with each text's own ``font-size`` and ``fill`` also written
    as an inline style. The stylesheet's default now applies only to texts
    that name no size or colour; the inline style still holds on a page
    where an older copy of the stylesheet (a plain ``.dl-view text`` rule,
    12px and dark) is loaded by outputs saved before the fix. Where a
    viewer strips the stylesheet (GitHub), the attributes alone hold."""
    for tag, _, a, _ in scene["items"]:
        if tag == "text" and "style" not in a:
            st = ([f"font-size:{a['font-size']}px"] if "font-size" in a else []) + (
                [f"fill:{a['fill']}"] if "fill" in a else [])
            if st:
                a["style"] = ";".join(st)
    return scene


def units_text(u: float | None) -> str:
    """Capacity units as the console writes them; '–' when not returned."""
    if u is None:
        return "–"
    return f"{u:g}"


class EndpointWidget(DdbWidget):
    """The scene widget with the endpoint views' CSS added."""

    _css = css() + DDB_CSS + ENDPOINT_CSS


class EndpointView(DdbView):
    """Base of the views drawn from recorded calls (any endpoint).

    ``source`` is a :class:`~dynamo_lab.viz.ddb.record.CallRecorder`, a
    :class:`~dynamo_lab.DynamoDB`, its Simulation, or a recorded EventLog.
    """

    css_class = "dl-endpoint"
    live = True

    def widget(self) -> EndpointWidget:
        if self._widget is None:
            from ..widget import scene_json
            self._widget = EndpointWidget(scene=scene_json(self._live_scene()),
                                          kind=self.css_class)
        return self._widget

    def _repr_html_(self) -> str:
        return ddb_html(scene_svg(self.scene()), self.css_class).replace(
            "</style>", ENDPOINT_CSS + "</style>", 1)


class LabEvents:
    """A caller's own events on a ``dynamo-lab serve``, page by page.

    ``GET /_lab/events?since=<n>&limit=<k>`` answers ``{"events": [...],
    "next": n}`` for the namespace of the request's access key and region.
    The request is signed with SigV4 (botocore's signer) using ``client``'s
    own credentials and region, so it names the same namespace the
    client's calls go to, and passes a server that checks signatures.

    A recording shows what the learner did since it began: by default the
    first event fetched is the first one the server logs after this object
    is made (the server's current position is asked for here), as on the
    lab in the notebook, whose log starts with the recording's kernel. A
    room's namespace outlives the kernel, so from position 0 a re-run
    lesson would bring the earlier run's tables, streams and throttles
    along (the views follow a table by name).

    Parameters
    ----------
    client : botocore client
        A ``dynamodb`` client whose ``endpoint_url`` may be a dynamo-lab server.
    timeout : float
        Seconds to wait for the server.
    since : int, optional
        The position to fetch from (``0``: everything the namespace has
        logged); default: the server's position now.

    Attributes
    ----------
    available : bool or None
        Whether the endpoint serves its events (None: not asked yet).
    why : str
        Why not, in plain words, when ``available`` is False.
    next : int
        The position of the next event to fetch.

    Examples
    --------
    >>> import boto3
    >>> c = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:9", region_name="us-east-1",
    ...                  aws_access_key_id="ada", aws_secret_access_key="x")
    >>> src = LabEvents(c, timeout=0.5)
    >>> src.fetch(), src.available
    ([], False)
    """

    def __init__(self, client: Any, timeout: float = 5.0, since: int | None = None) -> None:
        self.url = str(client.meta.endpoint_url).rstrip("/")
        self.region = client.meta.region_name or "us-east-1"
        self._client = client
        self.timeout = timeout
        self.available: bool | None = None
        self.why = ""
        self.next = 0
        if since is not None:
            if isinstance(since, bool) or not isinstance(since, int) or since < 0:
                raise OptionValueError("LabEvents", "since", since,
                                       "a whole number >= 0, or None for the server's position now")
            self.next = since
        else:
            self.start()

    def start(self) -> int:
        """Fetch from the server's current position on (what :meth:`fetch`
        answers next: only events logged after this call); returns it.
        Asks the server once (nothing if it does not serve its events)."""
        if self.available is None and not self._probe():
            return self.next
        if self.available:
            page = self._page(_END, 1)     # past the end: no events, and where the end is
            if page is not None:
                self.next = max(0, int(page.get("next", self.next)))
        return self.next

    def _get(self, path: str, signed: bool) -> tuple[int, bytes]:
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        request = AWSRequest(method="GET", url=self.url + path)
        creds = self._client._get_credentials() if signed else None
        if creds is not None:
            SigV4Auth(creds.get_frozen_credentials(), "dynamodb", self.region).add_auth(request)
        prepared = request.prepare()
        req = urllib.request.Request(prepared.url, headers=dict(prepared.headers.items()),
                                     method="GET")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def _probe(self) -> bool:
        if not self.url.startswith(("http://", "https://")) or "amazonaws.com" in self.url:
            self.available, self.why = False, "not a dynamo-lab server"
            return False
        try:
            status, body = self._get("/", signed=False)
        except (OSError, ValueError) as e:
            self.available, self.why = False, f"cannot reach {self.url}: {e}"
            return False
        if status != 200 or not body.decode("utf-8", "replace").startswith(HEALTH_PREFIX):
            self.available, self.why = False, "not a dynamo-lab server"
            return False
        self.available = True
        return True

    def _page(self, since: int, limit: int) -> dict | None:
        query = urllib.parse.urlencode({"since": since, "limit": limit})
        try:
            status, body = self._get(f"{EVENTS_PATH}?{query}", signed=True)
            page = json.loads(body) if status == 200 else None
        except (OSError, ValueError) as e:
            self.available, self.why = False, f"{EVENTS_PATH}: {e}"
            return None
        if not isinstance(page, dict) or not isinstance(page.get("events"), list):
            self.available = False
            self.why = (f"{EVENTS_PATH} answered HTTP {status}: "
                        f"{body[:200].decode('utf-8', 'replace')}")
            return None
        return page

    def check(self) -> bool:
        """Whether the endpoint serves this caller's events (asks once:
        the health check, then one event), without moving :attr:`next`."""
        if self.available is None and self._probe():
            self._page(0, 1)
        return bool(self.available)

    def fetch(self) -> list[dict]:
        """The events that came after the last fetch (JSON dicts with
        ``t``, ``kind`` and fields), all pages of them; ``[]`` when the
        endpoint does not serve its events (see :attr:`why`)."""
        if self.available is None and not self._probe():
            return []
        if not self.available:
            return []
        out: list[dict] = []
        while True:
            page = self._page(self.next, _PAGE)
            if page is None:
                return out
            out += page["events"]
            nxt = int(page.get("next", self.next))
            if nxt <= self.next or not page["events"]:
                self.next = max(self.next, nxt)
                return out
            self.next = nxt
