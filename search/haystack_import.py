"""Haystack imported without torch: torch is loaded when something first uses it.

``import haystack`` imports torch for its device helpers (``haystack.utils.device``), which costs
every process about 2 s of CPU and 590 MB of memory, though only the torch embedding backend, the
one-off model export and torch-based Haystack components ever run it. So Haystack is imported
once with torch hidden, taking its own "torch is not installed" path, and its device helpers are
then handed a stand-in that imports the real torch the first time they need it. Nothing else
changes: ``import torch`` anywhere else imports the real one, as usual.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from typing import Any

_LOCK = threading.Lock()


class _TorchOnFirstUse:
    """``torch`` and Haystack's check for it, inside one module, until first used."""

    def __init__(self, module: types.ModuleType) -> None:
        self._module = module

    def _load(self) -> types.ModuleType:
        from haystack.lazy_imports import LazyImport

        with _LOCK:
            import torch

            self._module.torch = torch
            self._module.torch_import = LazyImport()  # nothing deferred: check() passes
        return torch

    def check(self) -> None:
        self._load()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._load(), name)


def import_haystack() -> None:
    """Import Haystack, leaving torch for later; a no-op when either is imported already."""
    with _LOCK:
        if "haystack" in sys.modules or "torch" in sys.modules:
            return
        if importlib.util.find_spec("torch") is None:
            return
        sys.modules["torch"] = None  # type: ignore[assignment] - `import torch` raises ImportError
        try:
            import haystack  # noqa: F401
        finally:
            if "torch" in sys.modules and sys.modules["torch"] is None:
                del sys.modules["torch"]
    from haystack.utils import device

    stand_in = _TorchOnFirstUse(device)
    device.torch_import = stand_in  # type: ignore[attr-defined]
    device.torch = stand_in  # type: ignore[attr-defined]
