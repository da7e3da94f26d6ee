"""What differential privacy costs a training step of AttnCorrGAN, on each table.

For each table (benchmark split, seed 0, train half), the CPU milliseconds of a step (one
critic and one generator update; the slope between fits of ``epochs`` and ``3 * epochs``,
early stopping off; process CPU time on one thread, median of repeats):

- ``default``: without DP, at the defaults (packs of 10, WGAN-GP, every regulariser);
- ``same model``: without DP, the model DP trains (``pac=1``, the non-saturating loss, no
  regulariser but the condition loss): what DP-SGD itself adds is the difference;
- ``DP``: with ``epsilon`` (a fixed ``dp_noise_multiplier`` and a budget the run cannot spend,
  so that every epoch runs): Poisson sampling, per-row clipping, secure noise.

Usage: python benchmarks/dp_step_cost.py [crop credit demo] [--repeats 3] [--epochs 4]
"""

import argparse
import statistics
import warnings

import torch
from step_cost import step_ms
from validation_score import load

NO_REGULARISERS = {'correlation_weight': 0.0, 'classwise_weight': 0.0, 'energy_weight': 0.0}
SETTINGS = {
    'default': {},
    'same model': {'pac': 1, 'adversarial_loss': 'bce', **NO_REGULARISERS},
    'DP': {'epsilon': 1e6, 'dp_noise_multiplier': 1.0},
}


def declared(table):
    """The discrete columns' categories (the benchmark's dp_declared: public knowledge)."""
    train = table.splits[0][0]
    columns = table.metadata.tables[table.table_name].columns
    discrete = [c for c, info in columns.items() if info['sdtype'] in ('categorical', 'boolean')]
    return {
        c: list(train[c].dropna().unique()) + [float('nan')] * int(train[c].isna().any())
        for c in discrete
    }


def setting_ms(table, setting, epochs):
    """CPU ms per step of ``setting`` (``step_cost.step_ms``) and the batch of its fit."""
    options = dict(SETTINGS[setting])
    if 'epsilon' in options:
        options['dp_declared'] = declared(table)
    milliseconds, engine = step_ms(table, epochs, **options)
    return milliseconds, engine.batch_size


def main():
    """Print one line per table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('tables', nargs='*', default=['crop', 'credit', 'demo'])
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--epochs', type=int, default=4)
    arguments = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)
    print('| table | batch (DP) | default ms | same model ms | DP ms | DP / default | DP / same |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    for name in arguments.tables:
        table = load(name)
        medians, batch = {}, 0
        for setting in SETTINGS:
            runs = [setting_ms(table, setting, arguments.epochs) for _ in range(arguments.repeats)]
            medians[setting] = statistics.median(ms for ms, _ in runs)
            batch = runs[0][1]
        default, same, private = medians['default'], medians['same model'], medians['DP']
        print(
            f'| {name} | {batch} | {default:.1f} | {same:.1f} | {private:.1f} | '
            f'{private / default:.2f} | {private / same:.2f} |',
            flush=True,
        )


if __name__ == '__main__':
    main()
