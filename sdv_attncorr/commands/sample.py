"""``sdv-attncorr sample``: sample rows from a saved synthesizer into a CSV or Parquet file.

An ``--out`` without a suffix is a Parquet dataset folder; ``--nproc N`` writes it from N
processes (torchrun), one part each.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from sdv_attncorr.cli import CommandError
from sdv_attncorr.commands.common import (
    add_nproc,
    check_output,
    launch,
    load_synthesizer,
    parse_literal,
)

if TYPE_CHECKING:
    from sdv.sampling import Condition
    from sdv.single_table.base import BaseSingleTableSynthesizer

EXAMPLE = """examples:
  sdv-attncorr sample crops.pkl --rows 10000 --out synthetic.csv
  sdv-attncorr sample crops.pkl --rows 0 --condition label=rice:100 --condition label=maize:50 \\
      --out rice_and_maize.parquet
  sdv-attncorr sample crops.pkl --rows 10000000 --nproc 2 --out synthetic  # a Parquet folder
"""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``sample`` sub-command."""
    parser = subparsers.add_parser(
        'sample',
        help='sample rows from a saved synthesizer',
        description='Sample rows from a saved synthesizer into a .csv or .parquet file.',
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('model', help='a synthesizer saved with save() or `sdv-attncorr fit`')
    parser.add_argument('--rows', type=int, default=0, help='rows without conditions')
    parser.add_argument(
        '--condition',
        action='append',
        default=[],
        metavar='COLUMN=VALUE:COUNT',
        help='COUNT rows with COLUMN equal to VALUE (repeatable)',
    )
    parser.add_argument(
        '--out', required=True, help='output .csv or .parquet file, or a folder (no suffix)'
    )
    parser.add_argument('--force', action='store_true', help='overwrite an existing output')
    add_nproc(parser, 'write a Parquet folder from this many processes (torchrun), a part each')
    parser.set_defaults(func=run)


def _condition_value(synthesizer: BaseSingleTableSynthesizer, column: str, text: str) -> Any:
    model = getattr(synthesizer, '_model', None)
    encoder = getattr(model, 'encoder', None)
    if encoder is not None and column in encoder.discrete_columns:
        for category in encoder.categories_of(column):
            if str(category) == text:
                return category

    return parse_literal(text)


def parse_conditions(
    synthesizer: BaseSingleTableSynthesizer, texts: Iterable[str]
) -> list[Condition]:
    """Turn ``COLUMN=VALUE:COUNT`` strings into SDV ``Condition`` objects."""
    from sdv.sampling import Condition

    conditions = []
    for text in texts:
        column, equals, rest = text.partition('=')
        value, colon, count = rest.rpartition(':')
        if not (equals and colon and count.isdigit() and int(count) > 0):
            raise CommandError(f'bad --condition {text!r}: expected COLUMN=VALUE:COUNT, COUNT > 0.')
        value = _condition_value(synthesizer, column, value)
        conditions.append(Condition({column: value}, num_rows=int(count)))

    return conditions


def _write(frame: pd.DataFrame, path: Path) -> None:
    if path.suffix.lower() == '.csv':
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


def run(args: argparse.Namespace) -> None:
    """Sample into a hidden partial file, then move it over ``--out`` (kept if sampling fails)."""
    if not Path(args.out).suffix:
        return _run_folder(args)
    if args.nproc != 1:
        raise CommandError('--nproc writes a Parquet folder: give an --out without a suffix.')

    out = check_output(args.out, args.force, suffixes=('.csv', '.parquet', '.pq'))
    synthesizer = load_synthesizer(args.model)
    conditions = parse_conditions(synthesizer, args.condition)
    if args.rows < 0 or (args.rows == 0 and not conditions):
        raise CommandError('nothing to sample: give --rows N (N > 0) or --condition.')
    partial = out.with_name(f'.{out.name}.partial{out.suffix}')
    try:
        _sample_into(synthesizer, args.rows, conditions, partial)
        partial.replace(out)
    except ValueError as error:
        raise CommandError(str(error)) from error
    finally:
        partial.unlink(missing_ok=True)

    print(f'Wrote {args.rows + sum(c.get_num_rows() for c in conditions)} rows to {out}')


def _run_folder(args: argparse.Namespace) -> None:
    """Write a Parquet folder, from ``--nproc`` processes (each checks its own part)."""
    if args.condition:
        raise CommandError('--condition writes a .csv or .parquet file, not a folder.')
    if args.rows < 1:
        raise CommandError('nothing to sample: give --rows N (N > 0).')
    if launch(args):
        return

    synthesizer = load_synthesizer(args.model)
    folder = synthesizer.sample_to_file(args.rows, args.out, overwrite=args.force)
    if int(os.environ.get('RANK', 0)) == 0:
        print(f'Wrote {args.rows} rows to the Parquet folder {folder}')


def _sample_into(
    synthesizer: BaseSingleTableSynthesizer, rows: int, conditions: list[Condition], out: Path
) -> None:
    table = synthesizer._table_name
    if conditions:
        frames = [synthesizer.sample_from_conditions(conditions)[table]]
        if rows:
            frames.append(synthesizer.sample(rows)[table])
        _write(pd.concat(frames, ignore_index=True), out)
    elif hasattr(synthesizer, 'sample_to_file'):
        synthesizer.sample_to_file(rows, out, overwrite=True)
    else:
        _write(synthesizer.sample(rows)[table], out)
