"""Views: the event log drawn live, and rebuilt at any moment of a run.

Every view is ``View(source)`` where ``source`` is a
:class:`~dynamo_lab.Simulation`, an engine (anything with ``.sim`` or
``.log``, such as :class:`~dynamo_lab.Ring`) or a recorded
:class:`~dynamo_lab.EventLog`. A view is a reducer over events (it never
reads the engine's state), so it follows the log live, can be rebuilt at any
moment by replay (:class:`Timeline`), and has a deterministic ``repr`` and
static HTML/SVG fallback for nbconvert, GitHub and nbval.

- :class:`RingView`: the consistent-hash ring (anywidget, SVG), with controls;
- :class:`LoadView`: keys per node with the mean, ±15% band and efficiency;
- :class:`Timeline`: a slider over the log that rebuilds attached views;
- the Dynamo store's views, from :mod:`dynamo_lab.viz.store`:
  :class:`ReplicaView`, :class:`SequenceView`, :class:`VersionView`,
  :class:`MembershipView`, :class:`MerkleView`, :class:`HealthView`;
- DynamoDB's machinery, from :mod:`dynamo_lab.viz.ddb`:
  :class:`PartitionMapView`, :class:`CapacityView`, :class:`ShardLineageView`,
  :class:`GsiLagView`;
- :class:`View`: the base class, to write your own;
- :func:`setup`: pick the plotly renderer for lessons.

Examples
--------
>>> from dynamo_lab import Simulation
>>> from dynamo_lab.viz import RingView
>>> sim = Simulation(seed=1)
>>> RingView(sim)
<RingView 0 nodes, 0 tokens>
"""
from __future__ import annotations

from .base import View, resolve_source
from .batch import FrameBatcher
from .load import LoadView
from .ring import RingView
from .timeline import Timeline

_STORE = ("ReplicaView", "SequenceView", "VersionView", "MembershipView", "MerkleView",
          "HealthView")
_DDB = ("PartitionMapView", "CapacityView", "ShardLineageView", "GsiLagView",
        "record", "CallRecorder", "RequestTraceView", "ItemCollectionsView",
        "StreamRecordsView", "HashSpaceView", "ItemAnatomyView",
        "ReplicaGroupView", "IndexPlacementView",
        "LambdaBatchesView", "KclLeasesView", "AccessPatternsView")

__all__ = ["View", "RingView", "LoadView", "Timeline", "FrameBatcher", "resolve_source",
           "setup", "DEFAULT_RENDERER", *_STORE, *_DDB]


def __getattr__(name: str):
    # The store and DynamoDB views build on this package, so they load on first use.
    if name in _STORE:
        from . import store
        return getattr(store, name)
    if name in _DDB:
        from . import ddb
        return getattr(ddb, name)
    raise AttributeError(f"module 'dynamo_lab.viz' has no attribute {name!r}")

#: plotly's mimetype for JupyterLab (interactive, drawn by the plotly
#: extension that ships inside the plotly package) plus HTML that embeds
#: plotly.js itself (about 4.8 MB, once per notebook, with the first chart)
#: and loads no MathJax, so that nbconvert's static HTML draws offline:
#: nothing is fetched from a CDN (:mod:`.quickstart`). GitHub draws
#: neither, which is why our views carry their own static SVG as
#: ``text/html``.
DEFAULT_RENDERER = "plotly_mimetype+dynamo_lab_notebook"


def setup(renderer: str = DEFAULT_RENDERER) -> None:
    """Set the plotly renderer explicitly (a lesson's first cell calls this).

    Auto-detection picks ``plotly_mimetype`` alone, which static viewers
    cannot draw. The HTML part of the default has random div ids, so cells
    that show a bare plotly figure must not be marked for nbval checking;
    the views of this package give deterministic ``text/plain`` and
    ``text/html`` whatever the renderer, so their cells can be checked.

    It imports nothing heavy: while plotly is not imported yet, the renderer
    is set by a hook right after plotly's first import, and the IRI grammar
    that importing plotly would compile (``rfc3987_syntax``, via nbformat and
    jsonschema) is deferred to its first use (:mod:`.quickstart`).

    Examples
    --------
    >>> import plotly.io as pio
    >>> before = pio.renderers.default
    >>> setup()
    >>> pio.renderers.default
    'plotly_mimetype+dynamo_lab_notebook'
    >>> pio.renderers.default = before
    """
    from .quickstart import choose_renderer, defer_iri_grammar
    defer_iri_grammar()
    choose_renderer(renderer)
