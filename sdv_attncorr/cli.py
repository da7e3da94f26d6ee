"""The ``sdv-attncorr`` command line.

Each sub-command lives in its own module under ``sdv_attncorr.commands`` with a
``register(subparsers)`` function that adds its parser and sets ``func`` to the function that
runs it. Errors a user can fix (a missing file, a bad parameter, an output that exists) are
raised as ``CommandError`` and printed as one line with exit code 2; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

COMMANDS = ('fit', 'sample', 'evaluate', 'benchmark', 'demo')


class CommandError(Exception):
    """A problem with the user's input that the command reports as one line (exit code 2)."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with one sub-command per available command module.

    Returns:
        argparse.ArgumentParser:
            The parser.
    """
    parser = argparse.ArgumentParser(
        prog='sdv-attncorr',
        description='Fit, sample, evaluate and benchmark sdv-attncorr synthesizers.',
    )
    parser.add_argument('--debug', action='store_true', help='show tracebacks on errors')
    subparsers = parser.add_subparsers(dest='command', required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f'sdv_attncorr.commands.{name}')
        except ModuleNotFoundError as error:
            if error.name != f'sdv_attncorr.commands.{name}':
                raise
            continue
        module.register(subparsers)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv (Sequence[str] or None):
            The arguments; ``sys.argv[1:]`` when None.

    Returns:
        int:
            The exit code.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args.func(args)
    except (CommandError, FileNotFoundError, FileExistsError, ValueError) as error:
        if args.debug:
            raise
        print(f'sdv-attncorr {args.command}: error: {error}', file=sys.stderr)
        return 2

    return 0


if __name__ == '__main__':
    # Run through the package module, so that ``CommandError`` raised by the sub-commands is
    # the class ``main`` catches (under ``python -m`` this file is ``__main__``, a second copy).
    from sdv_attncorr.cli import main as package_main

    sys.exit(package_main())
