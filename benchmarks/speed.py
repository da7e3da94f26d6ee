"""Training-step and sampling speed of our synthesizers against SDV's CTGANSynthesizer.

Targets (issue #4): seconds per optimizer step at most 1.5 x CTGAN's at the same batch size,
and rows per second through ``synth.sample`` at least CTGAN's, on the same table.

A step is one critic update plus one generator update (``discriminator_steps=1``, CTGAN's and
ours), at batch 500 on crop. Times are the process's CPU time on one
thread (other jobs' turns on a shared machine do not count), the median of interleaved repeats.
Each fit runs on the whole table (preprocessing left out); a step's time is the slope between
two fit lengths. Sampling times ``synth.sample(n)`` for 20,000 rows and for half the table
(the benchmark's sample size); the rate does not depend on how long the model trained.

Usage: python benchmarks/speed.py [--repeats 5] [--epochs 2] [--sample-rows 20000]
"""

import argparse
import statistics
import time
import warnings
from pathlib import Path

import pandas as pd
import torch

CROP = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'crop_recommendation.csv'
BATCH = 500


def synthesizers():
    """``{name: (class, arguments)}``: ours at their defaults, and CTGAN."""
    from sdv.single_table import CTGANSynthesizer

    from sdv_attncorr import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer

    # min_steps_per_epoch=1: CTGAN's schedule, an epoch of len(table) // batch steps. The
    # large-table rule (AttnCorrGAN's preset) halves the epochs a fit trains, which the slope
    # below would count as half-price steps: off, as it changes the steps, not a step's cost.
    ctgan_schedule = {'min_steps_per_epoch': 1}
    return {
        'AttnCorrGAN': (
            AttnCorrGANSynthesizer,
            {'class_column': 'label', 'large_table_rows': None, **ctgan_schedule},
        ),
        'WGANGPMFS': (WGANGPMFSSynthesizer, ctgan_schedule),
        'CTGAN': (CTGANSynthesizer, {}),
    }


def step_seconds(synthesizer_class, arguments, table, metadata, epochs):
    """CPU seconds per optimizer step (critic + generator) at batch 500, and a fitted model.

    The slope between a fit of ``epochs`` and one of ``3 * epochs``: what each fit spends once
    (CTGAN's mode-specific normalisation, our encoder) cancels out.
    """
    steps_per_epoch = max(len(table) // BATCH, 1)
    seconds = []
    for n_epochs in (epochs, 3 * epochs):
        synthesizer = synthesizer_class(metadata, epochs=n_epochs, batch_size=BATCH, **arguments)
        processed = synthesizer.preprocess({'table': table})
        started = time.process_time()
        synthesizer.fit_processed_data(processed)
        seconds.append(time.process_time() - started)
    return (seconds[1] - seconds[0]) / (2 * epochs * steps_per_epoch), synthesizer


def rows_per_second(synthesizer, rows):
    """Rows per CPU second of ``synthesizer.sample(rows)``."""
    started = time.process_time()
    synthesizer.sample(rows)
    return rows / (time.process_time() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--epochs', type=int, default=2)
    parser.add_argument('--sample-rows', type=int, default=20_000)
    parser.add_argument('--table', default=str(CROP))
    args = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)

    from sdv.metadata import Metadata

    table = pd.read_csv(args.table)
    metadata = Metadata.detect_from_dataframes({'table': table})
    candidates = synthesizers()
    sizes = (args.sample_rows, len(table) // 2)
    figures = {name: {'step': [], **{size: [] for size in sizes}} for name in candidates}
    for _ in range(args.repeats):
        for name, (synthesizer_class, arguments) in candidates.items():
            seconds, fitted = step_seconds(
                synthesizer_class, arguments, table, metadata, args.epochs
            )
            figures[name]['step'].append(seconds)
            fitted.sample(100)
            for size in sizes:
                figures[name][size].append(rows_per_second(fitted, size))

    medians = {
        name: {key: statistics.median(values) for key, values in measured.items()}
        for name, measured in figures.items()
    }
    print(f'{Path(args.table).name}, batch {BATCH}, 1 thread, CPU time, medians of {args.repeats}')
    print(f'| synthesizer | ms / step | x CTGAN | rows / s ({sizes[0]:,} rows) | x CTGAN '
          f'| rows / s ({sizes[1]:,} rows) | x CTGAN |')  # fmt: skip
    print('|---|---:|---:|---:|---:|---:|---:|')
    ctgan = medians['CTGAN']
    for name, median in medians.items():
        cells = [f'{median["step"] * 1000:.1f}', f'{median["step"] / ctgan["step"]:.2f}']
        for size in sizes:
            cells += [f'{median[size]:,.0f}', f'{median[size] / ctgan[size]:.2f}']
        print(f'| {name} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
