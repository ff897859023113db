"""Modules imported on first use rather than when something imports them.

mkdocs-jupyter imports nbconvert and jupytext as its plugin loads, about half a second on
every build, although a build that takes the notebook page from the cache never calls them.
`defer(name)` puts a placeholder for `name` in `sys.modules`; `import name` and
`from package import name` then bind the placeholder, and the first attribute read on it
imports the real module and fills the placeholder in.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import types


class DeferredModule(types.ModuleType):
    """Stands in for a module until one of its attributes is read."""

    def __getattr__(self, attribute: str):
        # Only reached for attributes the placeholder lacks, i.e. before the real import.
        return getattr(load(self), attribute)


def defer(name: str) -> types.ModuleType:
    """Register a placeholder for module `name` (a no-op if it is imported already)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)  # imports the parent package, not the module
    if spec is None:
        raise ModuleNotFoundError(f"cannot defer {name!r}: no such module", name=name)
    placeholder = DeferredModule(name)
    # The import statement reads __spec__ of a module found in sys.modules; having one here
    # keeps that read from triggering the real import.
    placeholder.__spec__ = spec
    sys.modules[name] = placeholder
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, placeholder)
    return placeholder


def is_loaded(module: types.ModuleType) -> bool:
    """False while `module` is a placeholder whose real module has not been imported."""
    return not isinstance(module, DeferredModule) or "__loaded__" in vars(module)


def load(placeholder: DeferredModule) -> types.ModuleType:
    """Import the real module and copy its namespace into the placeholder."""
    name = placeholder.__name__
    if sys.modules.get(name) is placeholder:
        del sys.modules[name]
    real = importlib.import_module(name)
    vars(placeholder).update(vars(real))
    vars(placeholder)["__loaded__"] = True
    return real
