"""Fit MOSTLY AI's TabularARGN on a benchmark job and sample from it (runs in the peer venv).

Standalone on purpose: the peer's virtualenv (``make peers``) holds ``mostlyai-engine`` and its
own torch and pandas, not sdv-attncorr. The benchmark writes a job (JSON: the train table as
Parquet, where to write, seed, threads, epochs, constructor arguments) and reads back the
synthetic table (Parquet) and the cost figures (JSON).

Usage: python tabularargn.py JOB.json
"""

import json
import math
import resource
import sys
import tempfile
import time


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(job):
    """Fit, sample as many rows as the train table has, and write both outputs."""
    import pandas as pd
    import torch
    from mostlyai.engine import TabularARGN

    torch.set_num_threads(job['threads'])
    train = pd.read_parquet(job['train'])
    arguments = {'random_state': job['seed'], 'verbose': 0, **job['params']}
    if job['epochs'] is not None:
        arguments['max_epochs'] = job['epochs']
    import_mb = _peak_mb()
    with tempfile.TemporaryDirectory() as workspace:
        model = TabularARGN(workspace_dir=workspace, device='cpu', **arguments)
        start = time.perf_counter()
        model.fit(train)
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = model.sample(n_samples=len(train))
        sample_seconds = time.perf_counter() - start

    synthetic = synthetic[list(train.columns)]
    synthetic.to_parquet(job['synthetic'], index=False)
    cost = {
        'fit_s': fit_seconds,
        'epochs': arguments.get('max_epochs', math.nan),
        's_per_epoch': math.nan,
        'steps': math.nan,
        'critic_steps': math.nan,
        'rows_per_s': len(synthetic) / sample_seconds,
        'peak_mb': _peak_mb(),
        'import_mb': import_mb,
    }
    with open(job['cost'], 'w') as file:
        json.dump(cost, file)


if __name__ == '__main__':
    with open(sys.argv[1]) as job_file:
        run(json.load(job_file))
