"""One fit and sample of one synthesizer, in a freshly spawned process of its own.

The job is a plain dict (picklable); the worker imports torch and SDV itself, so its time and
peak memory are its own and not the parent's.
"""

import math
import multiprocessing
import resource
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from sdv_attncorr.benchmark.synthesizers import synthesizer_class, synthesizer_params


def make_job(name, table, seed, epochs, params, threads):
    """Build the worker's job: synthesizer ``name`` on the train half of ``table``'s ``seed``.

    Args:
        name (str):
            A key of ``SYNTHESIZERS``.
        table (sdv_attncorr.benchmark.tables.Table):
            The loaded, split table.
        seed (int):
            The split seed (also seeds numpy and torch in the worker).
        epochs (int or None):
            Epochs of every model that has epochs; None keeps each model's default.
        params (dict):
            ``{synthesizer: {argument: value}}`` from ``--param``.
        threads (int):
            CPU threads of torch / BLAS / OpenMP in the worker.

    Returns:
        dict:
            The job.
    """
    return {
        'synthesizer': name,
        'train': table.splits[seed][0],
        'metadata': table.metadata.to_dict(),
        'table_name': table.table_name,
        'class_column': table.class_column,
        'epochs': epochs,
        'params': synthesizer_params(name, params),
        'threads': threads,
        'seed': seed,
    }


def epochs_trained(synthesizer):
    """Return the epochs the fit ran: ours may stop early, the others run ``epochs``."""
    engine = getattr(getattr(synthesizer, '_model', None), 'engine', None)
    if engine is not None:
        return len(engine.history.records)

    return getattr(synthesizer, 'epochs', None)


def optimizer_steps(synthesizer, n_rows):
    """Return ``(generator or VAE steps, critic steps)`` of the fit, as each model counts them."""
    model = synthesizer._model
    epochs = epochs_trained(synthesizer)
    if epochs is None or model is None:
        return math.nan, math.nan
    engine = getattr(model, 'engine', None)
    if engine is not None:  # ours: the engine's batch is capped at the table (multiple of pac)
        steps = epochs * max(1, n_rows // engine.batch_size)
        return steps, steps * synthesizer.discriminator_steps
    if hasattr(model, '_discriminator_steps'):  # ctgan.CTGAN (CTGAN, CopulaGAN)
        steps = epochs * max(1, n_rows // model._batch_size)
        return steps, steps * model._discriminator_steps
    if hasattr(model, 'batch_size'):  # ctgan.TVAE: a DataLoader keeping the last short batch
        return epochs * math.ceil(n_rows / model.batch_size), math.nan

    return math.nan, math.nan


def build_synthesizer(job, metadata):
    """Construct the job's synthesizer: ``--epochs``, ``class_column``, the seed, its parameters.

    A synthesizer with a ``random_state`` argument (ours) trains from the split's seed, so the
    spread over seeds includes training noise, as it does for SDV's (seeded globally).
    """
    import inspect

    cls = synthesizer_class(job['synthesizer'])
    accepted = inspect.signature(cls.__init__).parameters
    arguments = {}
    if job['epochs'] is not None and 'epochs' in accepted:
        arguments['epochs'] = job['epochs']
    if 'class_column' in accepted:
        arguments['class_column'] = job['class_column']
    if 'random_state' in accepted:
        arguments['random_state'] = job['seed']
    arguments.update(job['params'])
    return cls(metadata, **arguments)


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cost(synthesizer, n_rows, fit_seconds, rows_per_s, import_mb):
    epochs = epochs_trained(synthesizer)
    steps, critic_steps = optimizer_steps(synthesizer, n_rows)
    return {
        'fit_s': fit_seconds,
        'epochs': epochs if epochs is not None else math.nan,
        's_per_epoch': fit_seconds / epochs if epochs else math.nan,
        'steps': steps,
        'critic_steps': critic_steps,
        'rows_per_s': rows_per_s,
        'peak_mb': _peak_mb(),
        'import_mb': import_mb,
    }


def run_worker(job):
    """Fit one synthesizer on ``job['train']`` and sample as many rows; runs in a fresh process.

    Returns:
        dict:
            ``synthetic`` (the table) and the cost figures: ``fit_s``, ``epochs``,
            ``s_per_epoch``, ``steps``, ``critic_steps``, ``rows_per_s``, ``peak_mb`` and
            ``import_mb`` (the peak before ``fit``); with ``epsilon``, ``epsilon_spent`` and
            ``delta_spent``.
    """
    import torch
    from joblib import parallel_config
    from sdv.metadata import Metadata
    from threadpoolctl import threadpool_limits

    warnings.simplefilter('ignore')
    torch.set_num_threads(job['threads'])
    torch.manual_seed(job['seed'])
    np.random.seed(job['seed'])
    train, table_name = job['train'], job['table_name']
    # CTGAN's and TVAE's transformer runs joblib's Parallel(n_jobs=-1) above 500 rows: its
    # loky worker processes used other cores than the fit's threads, and outlived the fit,
    # keeping this process (and the benchmark) from ever ending. Sequential, they do neither.
    with threadpool_limits(job['threads']), parallel_config(backend='sequential'):
        synthesizer = build_synthesizer(job, Metadata.load_from_dict(job['metadata']))
        preload_lazy_imports()
        import_mb = _peak_mb()
        start = time.perf_counter()
        synthesizer.fit({table_name: train})
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = synthesizer.sample(num_rows=len(train))[table_name]
        sample_seconds = time.perf_counter() - start

    rows_per_s = len(synthetic) / sample_seconds
    cost = _cost(synthesizer, len(train), fit_seconds, rows_per_s, import_mb)
    return {'synthetic': synthetic, **cost, **_privacy_spent(synthesizer)}


def preload_lazy_imports():
    """Import what torch loads on a fit's first optimizer step, so that no fit time counts it.

    A torch optimizer imports ``torch._dynamo`` at its first step (about 1 s here). TabularARGN's
    import loads it before its script starts the clock; ours, CTGAN's and TVAE's did so inside
    their timed fit. Loaded here, every fit's time counts the same work.
    """
    import torch._dynamo  # noqa: F401


def _privacy_spent(synthesizer):
    """``epsilon_spent`` and ``delta_spent`` of a fit with ``epsilon`` (none without)."""
    if getattr(synthesizer, 'epsilon', None) is None:
        return {}

    spent = synthesizer.privacy_spent()
    return {'epsilon_spent': spent['epsilon'], 'delta_spent': spent['delta']}


def run_job(job):
    """Run a job where it belongs: a peer in its own virtualenv, any other in a spawned child."""
    from sdv_attncorr.benchmark.peers import PEERS, run_peer

    return run_peer(job) if job['synthesizer'] in PEERS else run_in_child(job)


def run_in_child(job):
    """Run ``run_worker(job)`` in a new spawned process, so its time and memory are its own."""
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(run_worker, job).result()
