"""Command line: ``python -m pacgan_edu COMMAND ...`` (``--help`` lists the commands)."""
from __future__ import annotations

import argparse
import sys

from .cli import COMMANDS


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pacgan_edu",
                                     description="Reproduce the PacGAN paper's tables; results as tables and JSON.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add_parser(subparsers)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)   # recorded in the JSON as the command line
    if args.command is None:
        parser.print_help()
        return 2
    subparser = parser._subparsers._group_actions[0].choices[args.command]
    try:
        return args.run(args, subparser)
    except ValueError as error:  # bad values found deeper down (e.g. an unknown device)
        subparser.error(str(error))


if __name__ == "__main__":
    sys.exit(main())
