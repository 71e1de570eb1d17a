"""What a GAN learns and how it is scored, by dataset name: one module per task, one registry.

A task bundles: real samples, the G/D networks for the chosen architecture, and the metrics.
The training loop only talks to this interface, so 2D mixtures and image datasets share it.

- ``toy``: the 2D mixtures (``ring``, ``grid``), registered here;
- ``stacked_mnist``: ``stacked-mnist-veegan``, ``stacked-mnist-unrolled-quarter`` / ``-half``;
- ``cifar10``: ``cifar10`` (and its offline stand-in).

Image tasks are imported by name only when a config asks for them (they pull in bigger data
code), through :data:`TASK_MODULES`; a module registers its datasets with :func:`register_task`
when imported. The registry never imports a task module at import time, so a task module may
import from ``pacgan_edu.tasks`` without an import circle.
"""
from __future__ import annotations

import importlib
from typing import Callable

from ..data.mixtures import MIXTURES
from .toy import ToyTask

TASKS: dict[str, Callable] = {name: ToyTask for name in MIXTURES}

#: dataset name prefix -> the task module (in this package) that registers it
TASK_MODULES = {"stacked-mnist-": "stacked_mnist", "cifar10": "cifar10"}


def register_task(name: str, factory: Callable) -> None:
    """Make ``dataset=name`` available to the training loop; ``factory(config)`` builds the task."""
    TASKS[name] = factory


def load_task_module(dataset: str) -> None:
    """Import the module that registers ``dataset`` (if one is named in :data:`TASK_MODULES`)."""
    if dataset in TASKS:
        return
    for prefix, module in TASK_MODULES.items():
        if dataset.startswith(prefix):
            importlib.import_module(f"{__name__}.{module}")
            return


def known_dataset(dataset: str) -> bool:
    """True for a registered dataset or one a task module would register (checked by name only)."""
    return dataset in TASKS or any(dataset.startswith(prefix) for prefix in TASK_MODULES)


def make_task(config):
    load_task_module(config.dataset)
    try:
        factory = TASKS[config.dataset]
    except KeyError:
        raise ValueError(f"unknown dataset {config.dataset!r}; valid: {', '.join(TASKS)}") from None
    return factory(config)


__all__ = ["TASKS", "TASK_MODULES", "ToyTask", "known_dataset", "load_task_module", "make_task", "register_task"]
