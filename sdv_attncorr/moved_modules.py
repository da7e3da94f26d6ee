"""Old module paths of moved modules, so that synthesizers saved before a move still load.

``save`` is cloudpickle, which stores each class by its module path: a file saved by 0.1.0
names ``sdv_attncorr.core.engine.GANEngine`` (now in ``sdv_attncorr.core.engine``) and
``sdv_attncorr.core.conditions.ConditionSampler`` (now ``sdv_attncorr.core.training.conditions``).
A finder on ``sys.meta_path`` answers an import of an old path with the module now at the new
one, the same module object, so nothing is imported until a pickle asks for it.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

_NEW_ROOMS = {
    'nets': ('attention', 'blocks', 'critics', 'generators', 'heads'),
    'losses': (
        'adversarial',
        'classwise',
        'energy',
        'metafeatures',
        'mfs_loss',
        'regularizers',
        'view',
        'wasserstein',
    ),  # fmt: skip
    'training': ('callbacks', 'conditions', 'config', 'history', 'trainer'),
}
MOVED_MODULES = {
    f'sdv_attncorr.core.{name}': f'sdv_attncorr.core.{room}.{name}'
    for room, names in _NEW_ROOMS.items()
    for name in names
}


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: ModuleSpec) -> ModuleType:
        module = importlib.import_module(self.target)
        self.own_spec = module.__spec__
        return module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module is the one at its new path; keep its own spec."""
        module.__spec__ = self.own_spec


class MovedModuleFinder(importlib.abc.MetaPathFinder):
    """Resolve each old path of ``MOVED_MODULES`` to the module at its new path."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None = None,
        target: ModuleType | None = None,
    ) -> ModuleSpec | None:
        """Return a spec whose loader hands back the moved module, or None for other names."""
        if fullname not in MOVED_MODULES:
            return None

        return importlib.util.spec_from_loader(fullname, _AliasLoader(MOVED_MODULES[fullname]))


def install() -> None:
    """Put the finder on ``sys.meta_path`` once."""
    if not any(isinstance(finder, MovedModuleFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedModuleFinder())
