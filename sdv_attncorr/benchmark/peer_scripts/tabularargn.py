"""Fit MOSTLY AI's TabularARGN on a benchmark job and sample from it (runs in the peer venv).

Standalone on purpose: the peer's virtualenv (``make peers``) holds ``mostlyai-engine`` and its
own torch and pandas, not sdv-attncorr. The benchmark writes a job (JSON: the train table as
Parquet, where to write, seed, threads, epochs, constructor arguments) and reads back the
synthetic table (Parquet) and the cost figures (JSON). ``params['differential_privacy']`` (a dict:
max_epsilon, the total cap that includes value_protection_epsilon, delta, noise_multiplier,
max_grad_norm) switches DP on; the cost then holds the spent epsilon.

Usage: python tabularargn.py JOB.json
"""

import json
import math
import resource
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _epsilon_spent(workspace, privacy):
    """Total DP epsilon (analysis + DP-SGD) behind the kept model; NaN without DP.

    The engine logs it per epoch, rounded to 0.01, in its progress messages; the kept checkpoint
    was chosen among all epochs that stayed within max_epsilon, so the largest of those counts
    (or the kept one's, where none stayed within and the engine kept the last state anyway).
    """
    import pandas as pd

    path = Path(workspace) / 'ModelStore' / 'model-data' / 'progress-messages.csv'
    if privacy is None or not path.exists():
        return math.nan
    progress = pd.read_csv(path)
    within = progress.loc[progress['dp_eps'] <= (privacy.max_epsilon or math.inf), 'dp_eps']
    kept = progress.loc[progress['is_checkpoint'] == 1, 'dp_eps'].tail(1)
    return float(pd.concat([within, kept]).max())


def run(job):
    """Fit, sample as many rows as the train table has, and write both outputs."""
    import pandas as pd
    import torch
    from mostlyai.engine import TabularARGN
    from mostlyai.engine.domain import DifferentialPrivacyConfig

    torch.set_num_threads(job['threads'])
    train = pd.read_parquet(job['train'])
    arguments = {'random_state': job['seed'], 'verbose': 0, **job['params']}
    privacy = arguments.get('differential_privacy')
    if isinstance(privacy, dict):  # the engine's analysis step reads it by attribute, not by key
        privacy = arguments['differential_privacy'] = DifferentialPrivacyConfig(**privacy)
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
        epsilon_spent = _epsilon_spent(workspace, privacy)

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
        'epsilon_spent': epsilon_spent,
    }
    with open(job['cost'], 'w') as file:
        json.dump(cost, file)


if __name__ == '__main__':
    with open(sys.argv[1]) as job_file:
        run(json.load(job_file))
