"""Compare synthesizers on real tables: quality, relationships, utility and cost.

Each table is split 50/50 (train / held-out; stratified on the class column when there is one)
once per seed. Every synthesizer is fitted on the train half in its own process, samples as many
rows as the train half has, and is scored against the held-out half; the ``real-half`` row
scores the train half itself (the ceiling). Prints a markdown table, one row per
table x synthesizer (mean ± sd over seeds). See benchmarks/README.md for the columns.

    .venv/bin/python benchmarks/compare.py [--tables crop demo abalone] [--synthesizers ...]
        [--seeds 1] [--epochs N] [--quick] [--param attncorr.epochs=500 ...] [--threads 1]
        [--out FILE.md [--force]] [--csv FILE.csv]
"""

import argparse
import ast
import csv
import importlib
import inspect
import math
import multiprocessing
import resource
import sys
import time
import warnings
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / 'shared' / 'data'
CROP_CSV = SHARED_DATA / 'crop_recommendation.csv'
ABALONE_CSV = SHARED_DATA / 'abalone_cleaned.csv'
REAL_HALF = 'real-half'
DISCRETE_SDTYPES = ('categorical', 'boolean', 'ordinal')
QUICK_EPOCHS = 5
QUICK_TABLES = ('crop', 'demo')
MIN_CLASS_ROWS = 3


@dataclass(frozen=True)
class SynthSpec:
    """Where a synthesizer class lives, and the arguments that make it an ablation."""

    module: str
    class_name: str
    overrides: dict = field(default_factory=dict)
    base: str | None = None


SYNTHESIZERS = {
    'attncorr': SynthSpec('sdv_attncorr', 'AttnCorrGANSynthesizer'),
    'attncorr-nocorr': SynthSpec(
        'sdv_attncorr',
        'AttnCorrGANSynthesizer',
        {'correlation_weight': 0.0, 'classwise_weight': 0.0},
        base='attncorr',
    ),
    'wgan-mfs': SynthSpec('sdv_attncorr', 'WGANGPMFSSynthesizer'),
    'wgan-mfs-nomfs': SynthSpec(
        'sdv_attncorr', 'WGANGPMFSSynthesizer', {'mfs_weight': 0.0}, base='wgan-mfs'
    ),
    'gaussiancopula': SynthSpec('sdv.single_table', 'GaussianCopulaSynthesizer'),
    'ctgan': SynthSpec('sdv.single_table', 'CTGANSynthesizer'),
    'tvae': SynthSpec('sdv.single_table', 'TVAESynthesizer'),
    'copulagan': SynthSpec('sdv.single_table', 'CopulaGANSynthesizer'),
}


def load_crop():
    """Crop recommendation: 7 numeric columns and the categorical ``label`` (22 crops)."""
    data = pd.read_csv(CROP_CSV)
    metadata = _detect(data, 'crop')
    metadata.update_column('label', table_name='crop', sdtype='categorical')
    return data, metadata, 'crop'


def load_abalone():
    """Abalone: 7 standardised numeric columns and the integer ``target`` (rings)."""
    data = pd.read_csv(ABALONE_CSV)
    return data, _detect(data, 'abalone'), 'abalone'


def load_demo_table():
    """Student placements shipped with sdmetrics, with its own metadata (dates, id)."""
    from sdv_attncorr.datasets import load_demo

    return load_demo()


def _detect(data, name):
    from sdv.metadata import Metadata

    return Metadata.detect_from_dataframes({name: data})


@dataclass(frozen=True)
class TableSpec:
    """A benchmark table: its loader, its target column and the file it needs (if any)."""

    load: Callable
    target: str
    path: Path | None = None


TABLES = {
    'crop': TableSpec(load_crop, 'label', CROP_CSV),
    'demo': TableSpec(load_demo_table, 'placed'),
    'abalone': TableSpec(load_abalone, 'target', ABALONE_CSV),
}


# --- metrics (pure helpers) -------------------------------------------------------------------


def table_columns(metadata, table_name):
    """Return ``{column: column metadata}`` of one table of an SDV ``Metadata``."""
    return metadata.to_dict()['tables'][table_name]['columns']


def is_discrete(metadata, table_name, column):
    """Whether ``column`` has a discrete sdtype (then it is a class column, not a number)."""
    return table_columns(metadata, table_name)[column]['sdtype'] in DISCRETE_SDTYPES


def numeric_columns(metadata, table_name):
    """Columns of sdtype ``numerical``, in metadata order."""
    columns = table_columns(metadata, table_name)
    return [name for name, info in columns.items() if info['sdtype'] == 'numerical']


def mean_abs_pearson_delta(real, synthetic, columns):
    """Mean over column pairs of |Pearson(real) - Pearson(synthetic)|.

    Pairs whose correlation is undefined on either side (constant column, < 3 rows) are left
    out; NaN when no pair is left.
    """
    if len(columns) < 2:
        return math.nan

    def pearson(frame):
        numbers = frame[columns].apply(pd.to_numeric, errors='coerce')
        return numbers.corr(method='pearson', min_periods=MIN_CLASS_ROWS).to_numpy()

    delta = np.abs(pearson(real) - pearson(synthetic))[np.triu_indices(len(columns), k=1)]
    delta = delta[np.isfinite(delta)]
    return float(delta.mean()) if delta.size else math.nan


def classwise_pearson_delta(real, synthetic, columns, class_column):
    """Mean |Δ Pearson| within each class, weighted by the class's frequency in ``real``.

    Classes with fewer than 3 rows on either side (or no defined pair) are left out and the
    weights renormalised; NaN when no class is left.
    """
    real_classes = real[class_column].astype(str)
    synthetic_classes = synthetic[class_column].astype(str)
    deltas, weights = [], []
    for value in real[class_column].dropna().astype(str).unique():
        real_group = real[real_classes == value]
        synthetic_group = synthetic[synthetic_classes == value]
        if min(len(real_group), len(synthetic_group)) < MIN_CLASS_ROWS:
            continue
        delta = mean_abs_pearson_delta(real_group, synthetic_group, columns)
        if not math.isnan(delta):
            deltas.append(delta)
            weights.append(len(real_group))

    return float(np.average(deltas, weights=weights)) if deltas else math.nan


def quality_scores(real, synthetic, metadata, table_name):
    """SDV's quality score and its two properties, plus Column Pair Trends over every pair.

    ``evaluate_quality`` (sdmetrics 0.32 ``QualityReport``) averages Column Pair Trends only
    over pairs whose real |Pearson| > 0.5 or Cramér's V > 0.3. The all-pairs figure is the
    same report with ``real_correlation_threshold`` and ``real_association_threshold`` at 0.
    """
    from sdmetrics.reports import QualityReport
    from sdv.evaluation import evaluate_quality

    report = evaluate_quality(real, synthetic, metadata, verbose=False)
    properties = report.get_properties().set_index('Property')['Score']
    everything = QualityReport()
    everything.real_correlation_threshold = 0
    everything.real_association_threshold = 0
    everything.generate(
        {table_name: real}, {table_name: synthetic}, metadata.to_dict(), verbose=False
    )
    all_pairs = everything.get_properties().set_index('Property')['Score']
    return {
        'quality': float(report.get_score()),
        'shapes': float(properties['Column Shapes']),
        'pair_trends': float(properties['Column Pair Trends']),
        'pair_trends_all': float(all_pairs['Column Pair Trends']),
    }


def feature_frame(frame, columns, target, categories):
    """Model inputs: numbers as floats, dates as days, discrete columns as pandas categories.

    ``categories`` maps each discrete column to its categories (as strings); values outside
    them become missing. Columns of other sdtypes (ids, PII) are dropped.
    """
    features = {}
    for name, info in columns.items():
        if name == target:
            continue
        if info['sdtype'] == 'numerical':
            features[name] = pd.to_numeric(frame[name], errors='coerce')
        elif info['sdtype'] == 'datetime':
            dates = pd.to_datetime(frame[name], format=info.get('datetime_format'), errors='coerce')
            features[name] = (dates - pd.Timestamp(0)).dt.total_seconds() / 86400
        elif name in categories:
            values = frame[name].map(str, na_action='ignore')
            features[name] = pd.Categorical(values, categories=categories[name])

    return pd.DataFrame(features, index=frame.index)


def utility_score(train, test, metadata, table_name, target):
    """Train on ``train``, test on ``test``: macro F1 for a discrete target, else R².

    Uses sklearn's HistGradientBoosting{Classifier,Regressor} (random_state 0, native
    categorical support).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
    from sklearn.metrics import f1_score, r2_score

    columns = table_columns(metadata, table_name)
    discrete = [name for name, info in columns.items() if info['sdtype'] in DISCRETE_SDTYPES]
    both = pd.concat([train, test])
    categories = {name: sorted(both[name].dropna().map(str).unique()) for name in discrete}
    classify = target in discrete
    y_train, y_test = (_target(frame, target, classify) for frame in (train, test))
    x_train = feature_frame(train, columns, target, categories)[y_train.notna()]
    x_test = feature_frame(test, columns, target, categories)[y_test.notna()]
    y_train, y_test = y_train.dropna(), y_test.dropna()
    if classify and y_train.nunique() < 2:
        predictions = np.full(len(y_test), y_train.iloc[0] if len(y_train) else '', object)
        return float(f1_score(y_test, predictions, average='macro'))

    model_class = HistGradientBoostingClassifier if classify else HistGradientBoostingRegressor
    predictions = model_class(random_state=0).fit(x_train, y_train).predict(x_test)
    if classify:
        return float(f1_score(y_test, predictions, average='macro'))

    return float(r2_score(y_test, predictions))


def _target(frame, target, classify):
    if classify:
        return frame[target].map(str, na_action='ignore')

    return pd.to_numeric(frame[target], errors='coerce')


def evaluate(test, synthetic, metadata, table_name, target):
    """Every quality figure of one synthetic table, scored against the held-out ``test``."""
    class_column = target if is_discrete(metadata, table_name, target) else None
    numbers = numeric_columns(metadata, table_name)
    scores = quality_scores(test, synthetic, metadata, table_name)
    scores['pearson_delta'] = mean_abs_pearson_delta(test, synthetic, numbers)
    scores['classwise_delta'] = (
        classwise_pearson_delta(test, synthetic, numbers, class_column)
        if class_column
        else math.nan
    )
    scores['utility'] = utility_score(synthetic, test, metadata, table_name, target)
    return scores


# --- the worker: fit and sample in a process of its own --------------------------------------


def optimizer_steps(synthesizer, n_rows):
    """Return ``(generator or VAE steps, critic steps)`` of the fit, as each model counts them."""
    model = synthesizer._model
    epochs = getattr(synthesizer, 'epochs', None)
    if epochs is None or model is None:
        return math.nan, math.nan
    engine = getattr(model, 'engine', None)
    if engine is not None:  # ours: the engine's batch is capped at the table (multiple of pac)
        steps = epochs * max(1, n_rows // engine.batch_size)
        return steps, steps * synthesizer.critic_steps
    if hasattr(model, '_discriminator_steps'):  # ctgan.CTGAN (CTGAN, CopulaGAN)
        steps = epochs * max(1, n_rows // model._batch_size)
        return steps, steps * model._discriminator_steps
    if hasattr(model, 'batch_size'):  # ctgan.TVAE: a DataLoader keeping the last short batch
        return epochs * math.ceil(n_rows / model.batch_size), math.nan

    return math.nan, math.nan


def build_synthesizer(job, metadata):
    """Construct the job's synthesizer: ``--epochs``, ``class_column``, then its parameters."""
    spec = SYNTHESIZERS[job['synthesizer']]
    synthesizer_class = getattr(importlib.import_module(spec.module), spec.class_name)
    accepted = inspect.signature(synthesizer_class.__init__).parameters
    arguments = {}
    if job['epochs'] is not None and 'epochs' in accepted:
        arguments['epochs'] = job['epochs']
    if 'class_column' in accepted:
        arguments['class_column'] = job['class_column']
    arguments.update(job['params'])
    return synthesizer_class(metadata, **arguments)


def run_worker(job):
    """Fit one synthesizer on ``job['train']`` and sample; runs in a fresh process.

    Returns:
        dict: the synthetic table and the cost figures (seconds, steps, peak memory).
    """
    import torch
    from sdv.metadata import Metadata
    from threadpoolctl import threadpool_limits

    warnings.simplefilter('ignore')
    torch.set_num_threads(job['threads'])
    torch.manual_seed(job['seed'])
    np.random.seed(job['seed'])
    train = job['train']
    with threadpool_limits(job['threads']):
        synthesizer = build_synthesizer(job, Metadata.load_from_dict(job['metadata']))
        import_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        synthesizer.fit({job['table_name']: train})
        fit_seconds = time.perf_counter() - start
        start = time.perf_counter()
        synthetic = synthesizer.sample(num_rows=len(train))[job['table_name']]
        sample_seconds = time.perf_counter() - start

    epochs = getattr(synthesizer, 'epochs', None)
    steps, critic_steps = optimizer_steps(synthesizer, len(train))
    return {
        'synthetic': synthetic,
        'fit_s': fit_seconds,
        'epochs': epochs if epochs is not None else math.nan,
        's_per_epoch': fit_seconds / epochs if epochs else math.nan,
        'steps': steps,
        'critic_steps': critic_steps,
        'rows_per_s': len(synthetic) / sample_seconds,
        'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        'import_mb': import_mb,
    }


def run_in_child(job):
    """Run ``run_worker(job)`` in a new spawned process, so time and memory are its own."""
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as executor:
        return executor.submit(run_worker, job).result()


# --- aggregation and markdown ------------------------------------------------------------------

# (header, record key, decimals)
COLUMNS = [
    ('quality', 'quality', 3),
    ('shapes', 'shapes', 3),
    ('pair trends', 'pair_trends', 3),
    ('pair trends (all pairs)', 'pair_trends_all', 3),
    ('mean abs Δ Pearson', 'pearson_delta', 3),
    ('class-wise abs Δ Pearson', 'classwise_delta', 3),
    ('TSTR (F1 / R²)', 'utility', 3),
    ('fit s', 'fit_s', 1),
    ('s / epoch', 's_per_epoch', 3),
    ('G steps', 'steps', 0),
    ('D steps', 'critic_steps', 0),
    ('rows / s', 'rows_per_s', 0),
    ('peak MB', 'peak_mb', 0),
]
HEADERS = ['table', 'synthesizer', 'seeds'] + [header for header, _, _ in COLUMNS]


def format_cell(values, decimals):
    """``mean`` or ``mean ± sd`` (sample sd) of the finite values; blank when there are none."""
    finite = [value for value in values if value is not None and math.isfinite(value)]
    if not finite:
        return ''
    mean = f'{np.mean(finite):.{decimals}f}'
    if len(finite) == 1:
        return mean

    return f'{mean} ± {np.std(finite, ddof=1):.{decimals}f}'


def seeds_label(seeds):
    """``'0'`` for one seed, ``'0-4'`` for a run of them."""
    seeds = sorted(seeds)
    return str(seeds[0]) if len(seeds) == 1 else f'{seeds[0]}-{seeds[-1]}'


def markdown_row(records):
    """One markdown row for the per-seed records of one table x synthesizer."""
    cells = [records[0]['table'], records[0]['synthesizer']]
    cells.append(seeds_label([record['seed'] for record in records]))
    for _, key, decimals in COLUMNS:
        cells.append(format_cell([record.get(key, math.nan) for record in records], decimals))

    return '| ' + ' | '.join(cells) + ' |'


def markdown_header():
    """Return the header and separator lines of the markdown table."""
    separator = ['---'] * 3 + ['---:'] * len(COLUMNS)
    return '| ' + ' | '.join(HEADERS) + ' |\n|' + '|'.join(separator) + '|'


def markdown_table(groups, notes=()):
    """Return the markdown table of ``groups`` (lists of per-seed records), then the notes."""
    lines = [markdown_header()] + [markdown_row(records) for records in groups]
    if notes:
        lines += [''] + [f'- {note}' for note in notes]

    return '\n'.join(lines) + '\n'


def write_csv(path, groups):
    """Write every per-seed record (one line each) to ``path``."""
    fields = ['table', 'synthesizer', 'seed'] + [key for _, key, _ in COLUMNS]
    fields += ['epochs', 'import_mb']
    with open(path, 'w', newline='') as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction='ignore')
        writer.writeheader()
        for records in groups:
            writer.writerows(records)


# --- the command line --------------------------------------------------------------------------


def parse_value(text):
    """Read a Python literal (``500``, ``0.5``, ``(128, 128)``, ``None``), else keep the string."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_params(items):
    """``['attncorr.epochs=500', ...]`` to ``{'attncorr': {'epochs': 500}, ...}``."""
    params = {}
    for item in items:
        key, separator, value = item.partition('=')
        name, dot, argument = key.partition('.')
        if not (separator and dot and argument) or name not in SYNTHESIZERS:
            raise ValueError(
                f'--param {item!r}: expected SYNTH.KEY=VALUE with SYNTH in {list(SYNTHESIZERS)}.'
            )
        params.setdefault(name, {})[argument] = parse_value(value)

    return params


def synthesizer_params(name, params):
    """Arguments of one synthesizer: its base's ``--param``, its ablation, its own ``--param``."""
    spec = SYNTHESIZERS[name]
    arguments = dict(params.get(spec.base, {})) if spec.base else {}
    arguments.update(spec.overrides)
    arguments.update(params.get(name, {}))
    return arguments


def build_parser():
    """Build the argument parser."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tables', nargs='+', choices=list(TABLES))
    parser.add_argument('--synthesizers', nargs='+', choices=[*SYNTHESIZERS, REAL_HALF])
    parser.add_argument('--seeds', type=int, default=1, help='split seeds 0..N-1 (default 1)')
    parser.add_argument('--epochs', type=int, help='epochs of every model that has epochs')
    parser.add_argument('--quick', action='store_true', help=f'epochs {QUICK_EPOCHS}, crop+demo')
    parser.add_argument('--param', action='append', default=[], metavar='SYNTH.KEY=VALUE')
    parser.add_argument('--threads', type=int, default=1, help='CPU threads per fit (default 1)')
    parser.add_argument('--out', type=Path, help='also write the markdown table here')
    parser.add_argument('--force', action='store_true', help='let --out overwrite a file')
    parser.add_argument('--csv', type=Path, help='also write the per-seed figures here')
    return parser


def parse_args(argv=None):
    """Parse and check the command line; apply ``--quick``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.params = parse_params(args.param)
    except ValueError as error:
        parser.error(str(error))
    if args.out and args.out.exists() and not args.force:
        parser.error(f'{args.out} exists; pass --force to overwrite it.')
    if args.seeds < 1 or args.threads < 1:
        parser.error('--seeds and --threads must be at least 1.')
    if args.quick:
        args.epochs = args.epochs or QUICK_EPOCHS
        args.tables = args.tables or list(QUICK_TABLES)
    args.tables = args.tables or list(TABLES)
    args.synthesizers = args.synthesizers or [*SYNTHESIZERS, REAL_HALF]
    return args


# --- the run -----------------------------------------------------------------------------------


def unavailable_reason(name):
    """Why synthesizer ``name`` cannot be imported, or None when it can."""
    spec = SYNTHESIZERS[name]
    try:
        getattr(importlib.import_module(spec.module), spec.class_name)
    except Exception as error:  # noqa: BLE001 (a half-written module fails in any way)
        return f'{type(error).__name__}: {error}'

    return None


def split(data, target, stratify, seed):
    """Split 50/50 into train / held-out with ``seed``, stratified on ``target`` if asked."""
    from sklearn.model_selection import train_test_split

    train, test = train_test_split(
        data, test_size=0.5, random_state=seed, stratify=data[target] if stratify else None
    )
    return train.reset_index(drop=True), test.reset_index(drop=True)


def run_one(name, table, seed, args):
    """One per-seed record of synthesizer ``name`` on ``table`` (a dict from ``load_table``)."""
    train, test = table['splits'][seed]
    record = {'table': table['name'], 'synthesizer': name, 'seed': seed}
    if name == REAL_HALF:
        synthetic = train
    else:
        job = {
            'synthesizer': name,
            'train': train,
            'metadata': table['metadata'].to_dict(),
            'table_name': table['table_name'],
            'class_column': table['class_column'],
            'epochs': args.epochs,
            'params': synthesizer_params(name, args.params),
            'threads': args.threads,
            'seed': seed,
        }
        cost = run_in_child(job)
        synthetic = cost.pop('synthetic')
        record.update(cost)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        record.update(
            evaluate(test, synthetic, table['metadata'], table['table_name'], table['target'])
        )
    return record


def load_table(name, seeds):
    """Load table ``name`` and split it once per seed."""
    spec = TABLES[name]
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        data, metadata, table_name = spec.load()
    class_column = spec.target if is_discrete(metadata, table_name, spec.target) else None
    splits = {seed: split(data, spec.target, class_column is not None, seed) for seed in seeds}
    return {
        'name': name,
        'metadata': metadata,
        'table_name': table_name,
        'target': spec.target,
        'class_column': class_column,
        'splits': splits,
    }


def table_note(table):
    """Describe the table's train rows and what TSTR means on it."""
    metric = 'macro F1' if table['class_column'] else 'R² (numerical target)'
    rows = len(table['splits'][0][0])
    return f'{table["name"]}: {rows} train rows; TSTR target `{table["target"]}`, {metric}'


def run_table(table, names, args, groups, notes):
    """Run every synthesizer on one table, printing each row as it is done."""
    for name in names:
        records = []
        for seed in range(args.seeds):
            log(f'{table["name"]} seed {seed}: {name}')
            try:
                records.append(run_one(name, table, seed, args))
            except Exception as error:  # noqa: BLE001 (report any failure, run the rest)
                notes.append(f'{table["name"]} / {name} / seed {seed} failed: {error!r}')
                log(notes[-1])
        if records:
            groups.append(records)
            print(markdown_row(records), flush=True)
            save(args, groups, notes)


def save(args, groups, notes):
    """Write ``--out`` and ``--csv`` (again) with the rows so far."""
    if args.out:
        args.out.write_text(markdown_table(groups, notes))
    if args.csv:
        write_csv(args.csv, groups)


def log(message):
    """Progress to stderr, so stdout holds only the table."""
    print(message, file=sys.stderr, flush=True)


def available_synthesizers(requested, notes):
    """Return the requested synthesizers that import; add a note for each that does not."""
    names = []
    for name in requested:
        reason = None if name == REAL_HALF else unavailable_reason(name)
        if reason:
            notes.append(f'{name} skipped: cannot import it ({reason})')
            log(notes[-1])
        else:
            names.append(name)

    return names


def main(argv=None):
    """Run the benchmark and print the table."""
    from threadpoolctl import threadpool_limits

    args = parse_args(argv)
    notes, groups = [], []
    names = available_synthesizers(args.synthesizers, notes)
    print(markdown_header(), flush=True)
    with threadpool_limits(args.threads):
        for name in args.tables:
            path = TABLES[name].path
            if path is not None and not path.exists():
                notes.append(f'{name} skipped: {path} not found')
                log(notes[-1])
                continue
            table = load_table(name, range(args.seeds))
            notes.append(table_note(table))
            run_table(table, names, args, groups, notes)

    save(args, groups, notes)
    print('\n' + markdown_table(groups, notes), end='')


if __name__ == '__main__':
    main()
