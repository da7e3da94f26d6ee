"""Helpers shared by the sub-commands: reading tables, outputs that must not be overwritten."""

from __future__ import annotations

import argparse
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sdv_attncorr.cli import CommandError
from sdv_attncorr.files import TABLE_SUFFIXES, parse_literal, read_table_file

if TYPE_CHECKING:
    import pandas as pd
    from sdv.single_table.base import BaseSingleTableSynthesizer

__all__ = ['check_output', 'load_synthesizer', 'parse_literal', 'read_table']


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or Parquet file, or raise ``CommandError`` naming the problem.

    Args:
        path (str or pathlib.Path):
            The file.

    Returns:
        pandas.DataFrame:
            The table.
    """
    path = Path(path)
    if not path.is_file():
        raise CommandError(f'{path}: no such file.')
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise CommandError(f'{path}: expected a .csv or .parquet file.')
    return read_table_file(path, CommandError)


def check_output(path: str | Path, force: bool, suffixes: tuple[str, ...] | None = None) -> Path:
    """Refuse an existing output without ``--force``, or an unsupported file type.

    Args:
        path (str or pathlib.Path):
            The output file.
        force (bool):
            Whether ``--force`` was given.
        suffixes (tuple[str, ...] or None):
            Accepted suffixes, or None for any.

    Returns:
        pathlib.Path:
            The path.
    """
    path = Path(path)
    if suffixes and path.suffix.lower() not in suffixes:
        raise CommandError(f'{path}: the output must end with one of {", ".join(suffixes)}.')
    if path.exists() and not force:
        raise CommandError(f'{path} already exists: choose another path or add --force.')

    return path


def load_synthesizer(path: str | Path) -> BaseSingleTableSynthesizer:
    """Load a synthesizer saved with ``save``, or raise ``CommandError`` saying why not."""
    from sdv.single_table.base import BaseSingleTableSynthesizer
    from sdv.utils import load_synthesizer as sdv_load

    path = Path(path)
    if not path.is_file():
        raise CommandError(f'{path}: no such file.')
    try:
        synthesizer = sdv_load(str(path))
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as error:
        raise CommandError(f'{path} is not a saved synthesizer ({error}).') from error
    if not isinstance(synthesizer, BaseSingleTableSynthesizer):
        raise CommandError(f'{path} holds a {type(synthesizer).__name__}, not a synthesizer.')

    return synthesizer


def without_nproc(argv: list[str]) -> list[str]:
    """Return the command line without its ``--nproc N`` (which torchrun would take as its own)."""
    kept, skip = [], False
    for argument in argv:
        if skip or argument.startswith('--nproc='):
            skip = False
        elif argument == '--nproc':
            skip = True
        else:
            kept.append(argument)
    return kept


def add_nproc(parser: argparse.ArgumentParser, help_text: str) -> None:
    """Add ``--nproc N``: run the command in N processes of this machine under torchrun."""
    parser.add_argument('--nproc', type=int, default=1, help=help_text)


def launch(args: argparse.Namespace) -> bool:
    """Run this command in ``args.nproc`` processes under torchrun, unless it is one of them.

    Returns:
        bool:
            True when the command ran under torchrun here (the caller is done), False when the
            caller runs it itself (one process, or a process torchrun started).
    """
    if args.nproc < 1:
        raise CommandError(f'--nproc must be 1 or more, got {args.nproc}.')
    if args.nproc == 1 or 'WORLD_SIZE' in os.environ:
        return False

    command = [
        sys.executable, '-m', 'torch.distributed.run', '--standalone',
        f'--nproc-per-node={args.nproc}', '-m', 'sdv_attncorr', *without_nproc(args.argv),
    ]  # fmt: skip
    returncode = subprocess.run(command, check=False).returncode
    if returncode:
        raise CommandError(f'torchrun with {args.nproc} processes exited with code {returncode}.')
    return True
