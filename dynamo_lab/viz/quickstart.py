"""A lesson kernel's first seconds: plotly's renderer chosen without importing
plotly, the IRI grammar that importing plotly would build deferred, and
charts whose HTML fetches nothing from the network.

Importing :mod:`plotly.io` imports ``nbformat``, which imports ``jsonschema``,
whose format checkers import ``rfc3987_syntax``; that module compiles a Lark
grammar for IRIs on import (1-2.5 s on a loaded 2-core machine). Nothing in a
lesson validates an IRI, so :func:`defer_iri_grammar` puts a stand-in under
that name whose functions load the real module on their first call:
``jsonschema``'s ``iri`` format checks still work, and pay for the grammar
only when one runs.

:func:`choose_renderer` sets plotly's default renderer at once when plotly is
imported, or else right after :mod:`plotly.io` is first imported (a
post-import hook), so a lesson that draws no plotly chart never imports
plotly. The renderer :data:`OFFLINE` is plotly's ``notebook`` renderer (the
figure's HTML, with plotly.js embedded once per notebook) without the
``<script>`` that plotly adds to load MathJax from a CDN.

Examples
--------
>>> defer_iri_grammar() in (True, False)
True
>>> import sys
>>> sys.modules["rfc3987_syntax"].is_valid_syntax("iri", "http://example.com/x")
True
>>> sys.modules["rfc3987_syntax"].is_valid_syntax("iri", "no scheme")
False
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import re
import sys
import types
from typing import Callable

from ..errors import ArgumentError

__all__ = ["defer_iri_grammar", "choose_renderer", "IRI_MODULE", "OFFLINE"]

#: The module whose import compiles the IRI grammar.
IRI_MODULE = "rfc3987_syntax"
#: The offline notebook renderer's name in ``plotly.io.renderers``.
OFFLINE = "dynamo_lab_notebook"
_CDN_SCRIPT = re.compile(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>')


# -- the IRI grammar, deferred ---------------------------------------------------
def _real():
    """Import the real module in place of the stand-in, once; O(its import)."""
    mod = sys.modules.get(IRI_MODULE)
    if isinstance(mod, _StandIn):
        del sys.modules[IRI_MODULE]
        try:
            mod = importlib.import_module(IRI_MODULE)
        except BaseException:
            sys.modules[IRI_MODULE] = _StandIn(IRI_MODULE)
            raise
    return mod


class _StandIn(types.ModuleType):
    """Stands in for :data:`IRI_MODULE` until something uses it."""

    @staticmethod
    def is_valid_syntax(term: str, value: str) -> bool:
        return _real().is_valid_syntax(term, value)

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(_real(), name)


def defer_iri_grammar() -> bool:
    """Put the stand-in under :data:`IRI_MODULE` unless the module is already
    imported or not installed. Returns True when the stand-in is in place.
    O(1) after the first call."""
    mod = sys.modules.get(IRI_MODULE)
    if mod is not None:
        return isinstance(mod, _StandIn)
    if importlib.util.find_spec(IRI_MODULE) is None:
        return False
    sys.modules[IRI_MODULE] = _StandIn(IRI_MODULE)
    return True


# -- the renderer, set when plotly arrives ---------------------------------------
class _Loader(importlib.abc.Loader):
    """A module's own loader, then ``after(module)``."""

    def __init__(self, loader, after: Callable) -> None:
        self._loader, self._after = loader, after

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        self._after(module)

    def __getattr__(self, name: str):   # get_source, get_code, ... for inspect
        return getattr(self._loader, name)


class _AfterImport(importlib.abc.MetaPathFinder):
    """Calls ``after(module)`` once ``name`` is first imported."""

    def __init__(self, name: str, after: Callable) -> None:
        self.name, self.after = name, after

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self.after)
        return spec


_pending: list = []   # the renderer asked for before plotly.io was imported


def _register(pio) -> None:
    from plotly.io._base_renderers import NotebookRenderer

    class OfflineNotebookRenderer(NotebookRenderer):
        """plotly's notebook renderer, minus its MathJax ``<script src>``."""

        def to_mimebundle(self, fig_dict):
            bundle = super().to_mimebundle(fig_dict)
            bundle["text/html"] = _CDN_SCRIPT.sub("", bundle["text/html"])
            return bundle

    if OFFLINE not in pio.renderers:
        pio.renderers[OFFLINE] = OfflineNotebookRenderer()


def _on_plotly_io(pio) -> None:
    _register(pio)
    if _pending:
        pio.renderers.default = _pending[-1]
        _pending.clear()


def choose_renderer(renderer: str) -> None:
    """Make ``renderer`` plotly's default: at once when :mod:`plotly.io` is
    imported, otherwise as soon as it is. A name plotly does not know raises
    ``ValueError`` now, naming it, rather than at the first chart.

    >>> choose_renderer("no_such_renderer")
    Traceback (most recent call last):
    ...
    dynamo_lab.errors.ArgumentError: plotly has no renderer 'no_such_renderer'; known: ...
    """
    pio = sys.modules.get("plotly.io")
    known = set(pio.renderers) | {OFFLINE} if pio is not None else _renderer_names()
    bad = [r for r in renderer.split("+") if r not in known]
    if bad:
        raise ArgumentError(f"plotly has no renderer {bad[0]!r}; known: {', '.join(sorted(known))}")
    if pio is not None:
        _register(pio)
        pio.renderers.default = renderer
        return
    _pending.append(renderer)
    if not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport("plotly.io", _on_plotly_io))


def _renderer_names() -> set:
    # The renderers plotly 5-7 registers, without importing plotly to list them.
    return {"plotly_mimetype", "jupyterlab", "nteract", "vscode", "notebook",
            "notebook_connected", "kaggle", "azure", "colab", "cocalc", "databricks",
            "json", "png", "jpeg", "jpg", "svg", "pdf", "browser", "firefox", "chrome",
            "chromium", "iframe", "iframe_connected", "sphinx_gallery",
            "sphinx_gallery_png", OFFLINE}
