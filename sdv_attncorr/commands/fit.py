"""``sdv-attncorr fit``: fit a synthesizer on a CSV or Parquet table and save it."""

from __future__ import annotations

import argparse
import dataclasses
import inspect
import os
import textwrap
from pathlib import Path
from typing import Any

from sdv_attncorr.cli import CommandError
from sdv_attncorr.commands.common import (
    add_nproc,
    check_output,
    launch,
    parse_literal,
    read_table,
)

SYNTHESIZERS = {
    'attncorr': 'AttnCorrGANSynthesizer',
    'wgan-mfs': 'WGANGPMFSSynthesizer',
}
NOT_PARAMETERS = ('metadata', 'verbose')
EXAMPLE = """examples:
  sdv-attncorr fit crops.csv --synthesizer attncorr --class-column label --out crops.pkl
  sdv-attncorr fit abalone.csv --synthesizer wgan-mfs --epochs 500 \\
      --param mfs_weight=2 --param generator_dim=(128,128) --out abalone.pkl
  sdv-attncorr fit big.csv --nproc 4 --out big.pkl    # one model, 4 processes (torchrun)

--param takes any argument of the synthesizer's __init__ (see its docstring):
"""


def synthesizer_class(name):
    """Return the synthesizer class of a ``--synthesizer`` name."""
    import sdv_attncorr

    return getattr(sdv_attncorr, SYNTHESIZERS[name])


def parameter_defaults(name: str) -> dict[str, Any]:
    """Return ``{argument: default}`` of a synthesizer, read from its ``__init__`` signature."""
    parameters = inspect.signature(synthesizer_class(name).__init__).parameters
    return {
        key: value.default
        for key, value in parameters.items()
        if key != 'self' and key not in NOT_PARAMETERS
    }


def _defaults_text() -> str:
    """One entry per hyperparameter of the table: defaults of each synthesizer, and its doc."""
    from sdv_attncorr.core.training.config import GANConfig

    defaults = {name: parameter_defaults(name) for name in SYNTHESIZERS}
    entries = []
    for item in dataclasses.fields(GANConfig):
        if item.name in NOT_PARAMETERS:
            continue
        values = ', '.join(f'{name} {defaults[name][item.name]!r}' for name in SYNTHESIZERS)
        doc = item.metadata['doc'].replace('``', '')
        entries.append(
            f'  {item.name} ({values})\n'
            + textwrap.fill(doc, 96, initial_indent=' ' * 6, subsequent_indent=' ' * 6)
        )
    return '\n'.join(entries)


def register(subparsers):
    """Add the ``fit`` sub-command."""
    parser = subparsers.add_parser(
        'fit',
        help='fit a synthesizer on a table and save it',
        description='Fit a synthesizer on a CSV or Parquet table and save it with SDV save().',
        epilog=EXAMPLE + _defaults_text(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument('data', help='the table: a .csv or .parquet file')
    parser.add_argument('--synthesizer', choices=SYNTHESIZERS, default='attncorr')
    parser.add_argument('--metadata', help='SDV metadata JSON (detected and saved when absent)')
    parser.add_argument('--class-column', help='discrete column for the class-wise losses')
    parser.add_argument('--epochs', type=int, help='training epochs')
    parser.add_argument(
        '--param', action='append', default=[], metavar='KEY=VALUE', help='any synthesizer argument'
    )
    parser.add_argument('--out', required=True, help='where to save the model (.pkl)')
    parser.add_argument('--force', action='store_true', help='overwrite existing outputs')
    add_nproc(parser, 'train one model on this many processes of this machine (torchrun, DDP)')
    parser.set_defaults(func=run)


def parse_parameters(args):
    """Collect ``--epochs``, ``--class-column`` and ``--param`` into keyword arguments."""
    defaults = parameter_defaults(args.synthesizer)
    parameters = {}
    for item in args.param:
        key, separator, value = item.partition('=')
        if not separator or key not in defaults:
            valid = ', '.join(defaults)
            raise CommandError(f'bad --param {item!r}: expected KEY=VALUE with KEY one of {valid}.')
        parameters[key] = parse_literal(value)
    if args.epochs is not None:
        parameters['epochs'] = args.epochs
    if args.class_column is not None:
        parameters['class_column'] = args.class_column

    return parameters


def _metadata(args, data, table_name):
    from sdv.metadata import Metadata

    if args.metadata:
        if not Path(args.metadata).is_file():
            raise CommandError(f'{args.metadata}: no such metadata file.')
        return Metadata.load_from_json(args.metadata)

    return Metadata.detect_from_dataframes({table_name: data})


def run(args):
    """Fit and save (on rank 0 when torchrun launched several processes)."""
    from sdv.errors import InvalidDataError, SynthesizerInputError

    out = check_output(args.out, args.force)
    metadata_out = out.with_suffix('.metadata.json')
    if not args.metadata:
        check_output(metadata_out, args.force)
    parameters = parse_parameters(args)
    if parameters.get('epsilon') is not None and args.nproc > 1:
        raise CommandError(
            'epsilon (differential privacy) trains in one process: drop --nproc or epsilon.'
        )
    if launch(args):
        return None

    data = read_table(args.data)
    metadata = _metadata(args, data, Path(args.data).stem)
    table_name = metadata._get_single_table_name()
    try:
        synthesizer = synthesizer_class(args.synthesizer)(metadata, verbose=True, **parameters)
        synthesizer.fit({table_name: data})
    except (SynthesizerInputError, InvalidDataError) as error:
        raise CommandError(str(error)) from error
    except ValueError as error:
        if parameters.get('epsilon') is None:
            raise
        # What the private release refuses (a value outside dp_declared, no category to release).
        raise CommandError(str(error)) from error

    if int(os.environ.get('RANK', 0)):
        return None

    synthesizer.save(str(out))
    print(f'Saved {type(synthesizer).__name__} to {out}')
    if parameters.get('epsilon') is not None:
        spent = synthesizer.privacy_spent()
        print(
            f'Differential privacy of the training rows: epsilon={spent["epsilon"]:.3f}, '
            f'delta={spent["delta"]:.2g} spent (privacy_spent() has the parts)'
        )
    if not args.metadata:
        metadata.save_to_json(str(metadata_out), mode='overwrite')
        print(f'Detected metadata saved to {metadata_out}')
