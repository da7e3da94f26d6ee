"""Run every notebook of ``tutorials/`` top to bottom in a fresh kernel, in fast mode.

Fast mode: ``SDV_ATTNCORR_TUTORIAL_EPOCHS=1`` and ``SDV_ATTNCORR_TUTORIAL_FAST=1`` (tiny models,
large tables subsampled to ~300 rows); the notebooks write only to ``SDV_ATTNCORR_TUTORIAL_OUT``
(a ``tmp_path``). The kernel is ipykernel on this interpreter (``sys.executable``), started in
``tutorials/``.

Data: a notebook that reads files of ``shared/data`` lists them in its metadata,
``{"sdv_attncorr": {"requires_data": ["crop_recommendation.csv"]}}``. The test looks for each
one as the notebook's first code cell does (``shared/data/<name>`` in ``tutorials/`` or a parent
folder) and skips the notebook, before starting a kernel, when one is absent.
"""

import json
import sys
from pathlib import Path

import pytest

TUTORIALS = Path(__file__).resolve().parents[2] / 'tutorials'
NOTEBOOKS = sorted(TUTORIALS.glob('*.ipynb'))
EXPECTED = ['01_quickstart', '02_crop_classwise', '03_abalone_mfs', '04_choosing']
MAX_BYTES = 1_000_000
CELL_TIMEOUT = 600
FAST_ENV = {
    'SDV_ATTNCORR_TUTORIAL_EPOCHS': '1',
    'SDV_ATTNCORR_TUTORIAL_FAST': '1',
    'MPLBACKEND': 'Agg',
    'OMP_NUM_THREADS': '1',  # torch's spinning threads are many times slower on shared cores
    'TQDM_DISABLE': '1',
}


def missing_data(metadata):
    """Return the files of ``requires_data`` found in no ``shared/data`` above ``tutorials/``."""
    required = metadata.get('sdv_attncorr', {}).get('requires_data', [])
    folders = [TUTORIALS, *TUTORIALS.parents]
    return [
        name
        for name in required
        if not any((folder / 'shared' / 'data' / name).exists() for folder in folders)
    ]


def tree(folder):
    return {path.relative_to(folder) for path in folder.rglob('*')}


def test_every_tutorial_is_here():
    assert [path.stem for path in NOTEBOOKS] == EXPECTED


def test_missing_data_is_detected():
    metadata = {'sdv_attncorr': {'requires_data': ['no_such_table.csv']}}
    assert missing_data(metadata) == ['no_such_table.csv']
    assert missing_data({}) == []


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda path: path.name)
def test_committed_without_outputs(path):
    assert path.stat().st_size < MAX_BYTES
    notebook = json.loads(path.read_text('utf-8'))
    for index, cell in enumerate(notebook['cells']):
        if cell['cell_type'] == 'code':
            assert cell['outputs'] == [], f'cell {index} of {path.name} has outputs'
            assert cell['execution_count'] is None, f'cell {index} of {path.name} was run'


@pytest.mark.parametrize('path', NOTEBOOKS, ids=lambda path: path.name)
def test_tutorial_runs(path, tmp_path, monkeypatch):
    nbformat = pytest.importorskip('nbformat')
    nbclient = pytest.importorskip('nbclient')
    pytest.importorskip('ipykernel', reason='the notebooks run on an ipykernel kernel')
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    notebook = nbformat.read(path, as_version=4)
    missing = missing_data(notebook.metadata)
    if missing:
        pytest.skip(
            f'{path.name} needs shared/data/{missing[0]}, absent above {TUTORIALS}: the shared '
            'data sets only exist on the project machines'
        )

    for name, value in FAST_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv('SDV_ATTNCORR_TUTORIAL_OUT', str(tmp_path))
    # No kernel directories: the only 'python3' kernel is ipykernel's own, on sys.executable
    # (not a 'python3' kernelspec of the user's that may point to another interpreter).
    kernels = KernelSpecManager(kernel_dirs=[])
    manager = KernelManager(kernel_name='python3', kernel_spec_manager=kernels)
    assert manager.kernel_spec.argv[0] == sys.executable

    before = tree(TUTORIALS)
    client = nbclient.NotebookClient(
        notebook,
        km=manager,
        timeout=CELL_TIMEOUT,
        resources={'metadata': {'path': str(TUTORIALS)}},
    )
    try:
        client.execute()  # raises CellExecutionError, with the cell and traceback, on any error
    finally:
        if manager.has_kernel:  # a client given a manager leaves its kernel running
            manager.shutdown_kernel(now=True)
    assert tree(TUTORIALS) == before, 'the notebook wrote into tutorials/'
