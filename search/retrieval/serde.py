"""Serialising the objects components share (the store, the embedder) the way Haystack does.

Several components hold the same store; loading a dumped pipeline opens it once, not once per
component (an embedded store loads its indexes into memory).
"""

from __future__ import annotations

import json
import threading
import weakref
from typing import Any

from haystack.core.errors import DeserializationError
from haystack.core.serialization import import_class_by_name

_opened: weakref.WeakValueDictionary[str, Any] = weakref.WeakValueDictionary()
_lock = threading.Lock()


def shared_to_dict(instance: Any) -> dict[str, Any]:
    to_dict = getattr(instance, "to_dict", None)
    if to_dict is None:
        raise DeserializationError(f"{type(instance).__name__} cannot be serialised (no to_dict)")
    return to_dict()


def shared_from_dict(data: dict[str, Any]) -> Any:
    """The object ``data`` describes; the same one for equal descriptions while it is alive."""
    key = json.dumps(data, sort_keys=True)
    with _lock:
        instance = _opened.get(key)
        if instance is None:
            try:
                cls = import_class_by_name(data["type"])
            except (KeyError, ImportError) as error:
                raise DeserializationError(f"cannot import {data.get('type')!r}") from error
            instance = cls.from_dict(data)  # type: ignore[attr-defined]
            _opened[key] = instance
        return instance


def optional_to_dict(instance: Any | None) -> dict[str, Any] | None:
    """``shared_to_dict`` for a component whose store (or embedder) may be absent."""
    return None if instance is None else shared_to_dict(instance)


def optional_from_dict(data: dict[str, Any] | None) -> Any | None:
    return None if data is None else shared_from_dict(data)
