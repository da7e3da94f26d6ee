"""How a fit scales with rows: seconds per epoch and per step, preprocessing, sampling, memory.

For each row count and synthesizer, a fresh process loads ``../shared/data/diamonds.csv``
(53,940 rows; ``class_column='cut'``), replicated past its size with small jitter on the
numbers (0.01 standard deviations), preprocesses it, trains ``--epochs`` epochs (early stopping
off; seconds per epoch are the median epoch's, the setup left out), and samples
``--sample-rows`` rows into a Parquet dataset folder (``sample_to_file``). Printed:
preprocessing seconds, seconds per epoch and milliseconds per step, sampling rows per second of
one process, the RSS after imports and loading the table, the peak RSS, and the encoded
matrix's size. One thread per process.

With ``--nproc 2`` each measurement runs in 2 processes started as torchrun starts them
(``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK``, a local rendezvous): one model trained with DDP over
gloo, the same global batch; each process writes its part of the sampled rows. Figures are
rank 0's (its RSS is one process's; the machine holds one such per process).

Usage: python benchmarks/scale.py [--rows 10000 100000 1000000] [--synthesizers attncorr wgan-mfs]
[--epochs 1] [--sample-rows 100000] [--nproc 1 2]
"""

import argparse
import multiprocessing
import os
import resource
import socket
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from unittest import mock

DIAMONDS = Path(__file__).resolve().parents[2] / 'shared' / 'data' / 'diamonds.csv'
JITTER = 0.01


def rss_mb():
    """Return this process's current resident set size in MB (Linux)."""
    with open('/proc/self/statm') as statm:
        pages = int(statm.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def replicated(n_rows, seed=0):
    """Diamonds repeated to ``n_rows`` rows, numbers past the first copy jittered."""
    import numpy as np
    import pandas as pd

    data = pd.read_csv(DIAMONDS)
    copies = -(-n_rows // len(data))
    table = pd.concat([data] * copies, ignore_index=True).iloc[:n_rows].copy()
    rng = np.random.default_rng(seed)
    extra = np.arange(len(table)) >= len(data)
    for column in table.select_dtypes('number'):
        noise = rng.normal(scale=JITTER * data[column].std(), size=extra.sum())
        table.loc[extra, column] = table.loc[extra, column] + noise
    return table


def measure(job, results):
    """Run one (rows, synthesizer) measurement in this process; put its figures in ``results``."""
    os.environ.update(job['environment'])
    import torch

    from sdv_attncorr import AttnCorrGANSynthesizer, WGANGPMFSSynthesizer
    from sdv_attncorr.benchmark.tables import detect_metadata
    from sdv_attncorr.core.training.trainer import Trainer

    torch.set_num_threads(1)
    warnings.filterwarnings('ignore')
    classes = {'attncorr': AttnCorrGANSynthesizer, 'wgan-mfs': WGANGPMFSSynthesizer}
    data = replicated(job['rows'])
    metadata = detect_metadata(data, 'diamonds', 'cut')
    loaded_mb = rss_mb()
    synthesizer = classes[job['synthesizer']](
        metadata, class_column='cut', epochs=job['epochs'], early_stopping=False, random_state=0
    )
    started = time.perf_counter()
    processed = synthesizer.preprocess({'diamonds': data})
    preprocess_s = time.perf_counter() - started
    epoch_seconds = []
    run_epoch = Trainer.run_epoch

    def timed_epoch(trainer, epoch):
        started = time.perf_counter()
        try:
            return run_epoch(trainer, epoch)
        finally:
            epoch_seconds.append(time.perf_counter() - started)

    with mock.patch.object(Trainer, 'run_epoch', timed_epoch):
        synthesizer.fit_processed_data(processed)
    engine = synthesizer._model.engine
    started = time.perf_counter()
    synthesizer.sample_to_file(job['sample_rows'], Path(job['folder']) / 'sampled')
    sample_s = time.perf_counter() - started
    epoch_s = statistics.median(epoch_seconds)
    if job['environment'].get('RANK', '0') != '0':
        return
    results.put(
        {
            **job,
            'preprocess_s': preprocess_s,
            's_per_epoch': epoch_s,
            'ms_per_step': 1000 * epoch_s / max(1, job['rows'] // engine.batch_size),
            'rows_per_s': job['sample_rows'] / job['nproc'] / sample_s,
            'loaded_mb': loaded_mb,
            'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            'matrix_mb': job['rows'] * engine.layout.width * 4 / 2**20,
        }
    )


def free_port():
    """Return a free local TCP port for the processes' rendezvous."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def run(job, context):
    """Run ``job`` in ``job['nproc']`` processes as torchrun would; return rank 0's figures."""
    port = str(free_port())
    results = context.Queue()
    processes = []
    with tempfile.TemporaryDirectory() as folder:
        for rank in range(job['nproc']):
            environment = {'RANK': str(rank), 'LOCAL_RANK': str(rank), 'OMP_NUM_THREADS': '1'}
            environment |= {'WORLD_SIZE': str(job['nproc']), 'MASTER_ADDR': '127.0.0.1'}
            environment['MASTER_PORT'] = port
            if job['nproc'] == 1:
                environment = {}  # no launch: the one-process path
            task = {**job, 'environment': environment, 'folder': folder}
            processes.append(context.Process(target=measure, args=(task, results)))
            processes[-1].start()
        figures = results.get()
        for process in processes:
            process.join()
    return figures


def main():
    """Print one row per (rows, synthesizer)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, nargs='+', default=[10_000, 100_000, 1_000_000])
    parser.add_argument('--synthesizers', nargs='+', default=['attncorr', 'wgan-mfs'])
    parser.add_argument('--epochs', type=int, default=1)
    parser.add_argument('--sample-rows', type=int, default=100_000)
    parser.add_argument('--nproc', type=int, nargs='+', default=[1])
    arguments = parser.parse_args()
    context = multiprocessing.get_context('spawn')
    print(
        '| rows | synthesizer | processes | preprocess s | s / epoch | ms / step | '
        'sample rows / s / process | RSS loaded MB | peak RSS MB | peak - loaded MB | '
        'encoded matrix MB |'
    )
    print('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for rows in arguments.rows:
        for name in arguments.synthesizers:
            for nproc in arguments.nproc:
                job = {'rows': rows, 'synthesizer': name, 'epochs': arguments.epochs}
                job |= {'sample_rows': arguments.sample_rows, 'nproc': nproc}
                figures = run(job, context)
                print(
                    f'| {rows:,} | {name} | {nproc} | {figures["preprocess_s"]:.1f} | '
                    f'{figures["s_per_epoch"]:.1f} | {figures["ms_per_step"]:.1f} | '
                    f'{figures["rows_per_s"]:,.0f} | {figures["loaded_mb"]:,.0f} | '
                    f'{figures["peak_mb"]:,.0f} | '
                    f'{figures["peak_mb"] - figures["loaded_mb"]:,.0f} | '
                    f'{figures["matrix_mb"]:,.0f} |',
                    flush=True,
                )


if __name__ == '__main__':
    main()
