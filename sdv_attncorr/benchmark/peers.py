"""Open-source peers outside SDV, each run in a virtualenv of its own (``make peers``).

A peer cannot share our environment (MOSTLY AI's ``mostlyai-engine`` pins its own torch,
pandas and transformers), so the benchmark hands it the train half as Parquet, runs its
script with the peer venv's Python, and reads back the synthetic table and the cost figures.
Where the venv is absent, the peer is skipped with a one-line note.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

PEERS_FOLDER_VARIABLE = 'SDV_ATTNCORR_PEERS'
SCRIPTS = Path(__file__).parent / 'peer_scripts'
INSTALLED = '.installed'  # what `make peers` writes last
BOOLEANS = {'True': True, 'False': False, True: True, False: False}


@dataclass(frozen=True)
class Peer:
    """A peer synthesizer: its venv's folder name, its script, the ``--param`` keys it takes."""

    venv: str
    script: Path
    arguments: tuple[str, ...]


PEERS = {
    'tabularargn': Peer(
        'tabularargn',
        SCRIPTS / 'tabularargn.py',
        (
            'max_training_time',
            'max_epochs',
            'batch_size',
            'value_protection',
            'model',
            'differential_privacy',
        ),
    ),
}


def peers_folder() -> Path:
    """Return where the peer venvs live: ``$SDV_ATTNCORR_PEERS``, else the checkout's ``.peers``."""
    configured = os.environ.get(PEERS_FOLDER_VARIABLE)
    return Path(configured) if configured else Path(__file__).resolve().parents[2] / '.peers'


def peer_python(name: str) -> Path:
    """Return the Python of peer ``name``'s virtualenv."""
    return peers_folder() / PEERS[name].venv / 'bin' / 'python'


def unavailable_reason(name: str) -> str | None:
    """Why peer ``name`` cannot run, or None when its virtualenv is installed."""
    venv = peers_folder() / PEERS[name].venv
    if (venv / INSTALLED).exists() and peer_python(name).exists():
        return None

    return f'its virtualenv {venv} is absent or half-installed: run `make peers`'


def datetime_formats(job: dict[str, Any]) -> dict[str, str | None]:
    """Return ``{column: datetime_format}`` of the job table's datetime columns (metadata)."""
    table = job['metadata']['tables'][job['table_name']]
    return {
        name: info.get('datetime_format')
        for name, info in table['columns'].items()
        if info['sdtype'] == 'datetime'
    }


def typed_for_peer(train: pd.DataFrame, formats: dict[str, str | None]) -> pd.DataFrame:
    """Give datetime columns a datetime dtype, so that the peer models them as dates.

    Held as text, the peer would model them as categories; SDV's synthesizers read the dates
    from the metadata.
    """
    converted = {
        name: pd.to_datetime(train[name], format=formats[name], errors='coerce')
        for name in formats
        if name in train and not pd.api.types.is_datetime64_any_dtype(train[name])
    }
    return train.assign(**converted)


def as_in_train(
    synthetic: pd.DataFrame, train: pd.DataFrame, formats: dict[str, str | None]
) -> pd.DataFrame:
    """Write the peer's columns back as the train table holds them.

    Datetime columns become text in their metadata format again, boolean columns, which the
    peer returns as the text 'True' / 'False', booleans, and every column takes the train
    table's dtype where it can (the peer's pandas writes text as its own string dtype).
    """
    for name in train.columns:
        values = train[name].dropna()
        if len(values) and values.map(type).eq(bool).all():
            synthetic[name] = synthetic[name].map(BOOLEANS)
    for name, format_ in formats.items():
        if name in train and not pd.api.types.is_datetime64_any_dtype(train[name]):
            dates = pd.to_datetime(synthetic[name], errors='coerce')
            synthetic[name] = dates.dt.strftime(format_) if format_ else dates.astype(str)
            synthetic.loc[dates.isna(), name] = None
    for name in train.columns:
        try:
            synthetic[name] = synthetic[name].astype(train[name].dtype)
        except (TypeError, ValueError):
            continue

    return synthetic


def run_peer(job: dict[str, Any]) -> dict[str, Any]:
    """Run a benchmark job on a peer: fit on the train half and sample as many rows.

    Args:
        job (dict):
            The job of ``runner.make_job`` (synthesizer, train, seed, threads, epochs, params).

    Returns:
        dict:
            ``synthetic`` (the table) and the cost figures, as ``runner.run_worker``'s.
    """
    name = job['synthesizer']
    with tempfile.TemporaryDirectory() as folder:
        files = {key: str(Path(folder) / key) for key in ('train', 'synthetic', 'cost', 'job')}
        formats = datetime_formats(job)
        typed_for_peer(job['train'], formats).to_parquet(files['train'], index=False)
        keys = ('seed', 'threads', 'epochs', 'params')
        peer_job = {**{key: job[key] for key in keys}, **files}
        Path(files['job']).write_text(json.dumps(peer_job))
        environment = {**os.environ, 'OMP_NUM_THREADS': str(job['threads'])}
        completed = subprocess.run(
            [str(peer_python(name)), str(PEERS[name].script), files['job']],
            capture_output=True,
            text=True,
            env=environment,
        )
        if completed.returncode:
            last = (completed.stderr.strip().splitlines() or ['no output'])[-1]
            raise RuntimeError(f'{name} exited with {completed.returncode}: {last}')

        synthetic = as_in_train(pd.read_parquet(files['synthetic']), job['train'], formats)
        cost = json.loads(Path(files['cost']).read_text())

    return {'synthetic': synthetic, **cost}
