"""Training-step and sampling speed of our synthesizers against SDV's CTGANSynthesizer.

Targets (issue #4): seconds per optimizer step at most 1.5 x CTGAN's at the same batch size,
and rows per second through ``synth.sample`` at least CTGAN's, on the same table.

A step is one critic update plus one generator update (CTGAN's loop at ``discriminator_steps=1``
and ours at ``critic_steps=1``), at batch 500 on crop. Times are the process's CPU time on one
thread (other jobs' turns on a shared machine do not count), the median of interleaved repeats.
Fits run on the whole table for a few epochs (preprocessing is timed apart and left out).
Sampling times ``synth.sample(n)`` after a one-epoch fit: the rate does not depend on training.

Usage: python benchmarks/speed.py [--repeats 5] [--epochs 4] [--sample-rows 20000]
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

    # min_steps_per_epoch=1: CTGAN's schedule, an epoch of len(table) // batch steps.
    ctgan_schedule = {'min_steps_per_epoch': 1}
    return {
        'AttnCorrGAN': (AttnCorrGANSynthesizer, {'class_column': 'label', **ctgan_schedule}),
        'WGANGPMFS': (WGANGPMFSSynthesizer, ctgan_schedule),
        'CTGAN': (CTGANSynthesizer, {}),
    }


def step_seconds(synthesizer_class, arguments, table, metadata, epochs):
    """CPU seconds per optimizer step (critic + generator) of one fit at batch 500."""
    synthesizer = synthesizer_class(metadata, epochs=epochs, batch_size=BATCH, **arguments)
    processed = synthesizer.preprocess({'table': table})
    steps_per_epoch = max(len(table) // BATCH, 1)
    started = time.process_time()
    synthesizer.fit_processed_data(processed)
    return (time.process_time() - started) / (epochs * steps_per_epoch), synthesizer


def rows_per_second(synthesizer, rows):
    """Rows per CPU second of ``synthesizer.sample(rows)``."""
    started = time.process_time()
    synthesizer.sample(rows)
    return rows / (time.process_time() - started)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--epochs', type=int, default=4)
    parser.add_argument('--sample-rows', type=int, default=20_000)
    parser.add_argument('--table', default=str(CROP))
    args = parser.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(1)

    from sdv.metadata import Metadata

    table = pd.read_csv(args.table)
    metadata = Metadata.detect_from_dataframes({'table': table})
    candidates = synthesizers()
    steps = {name: [] for name in candidates}
    rates = {name: [] for name in candidates}
    for _ in range(args.repeats):
        for name, (synthesizer_class, arguments) in candidates.items():
            seconds, fitted = step_seconds(
                synthesizer_class, arguments, table, metadata, args.epochs
            )
            steps[name].append(seconds)
            fitted.sample(100)
            rates[name].append(rows_per_second(fitted, args.sample_rows))

    ctgan_step = statistics.median(steps['CTGAN'])
    ctgan_rate = statistics.median(rates['CTGAN'])
    print(f'{Path(args.table).name}, batch {BATCH}, 1 thread, CPU time, medians of {args.repeats}')
    print('| synthesizer | ms / step | x CTGAN | sampled rows / s | x CTGAN |')
    print('|---|---:|---:|---:|---:|')
    for name in candidates:
        step, rate = statistics.median(steps[name]), statistics.median(rates[name])
        print(
            f'| {name} | {step * 1000:.1f} | {step / ctgan_step:.2f} | {rate:,.0f} '
            f'| {rate / ctgan_rate:.2f} |'
        )


if __name__ == '__main__':
    main()
