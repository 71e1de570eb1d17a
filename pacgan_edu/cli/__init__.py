"""The command line, one module per subcommand (``python -m pacgan_edu COMMAND``); options
several commands share are declared and checked once in :mod:`pacgan_edu.cli.common`."""
from __future__ import annotations

from . import cifar10, record, remedies, stacked_mnist, toy

COMMANDS = [toy, stacked_mnist, cifar10, record, remedies]
