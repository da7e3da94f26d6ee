"""Utility and an empirical privacy audit under differential privacy: ours beside TabularARGN.

For each table, seed and epsilon (``none``: no DP): the benchmark's 50/50 split
(``sdv_attncorr.benchmark.tables``, ``random_state=seed``, stratified on the class column), a fit
on the train half, as many rows sampled, and the benchmark's scores
(``sdv_attncorr.benchmark.metrics``): quality and TSTR against the held-out half, and the
membership-inference attack's ROC AUC ('MIA AUC': the distance of train rows and of held-out
rows to their closest synthetic row; 0.5 is chance), expected to fall toward 0.5 as epsilon
falls.

- ``attncorr``: ``AttnCorrGANSynthesizer`` at its defaults plus ``epsilon``, ``delta=1e-5``,
  ``random_state=seed`` and ``dp_declared``: the category lists (missing values as ``np.nan``)
  of the metadata's discrete columns, taken from the **whole** table. That domain is treated as
  public knowledge, as a user would declare it; it costs no budget, and without it rare
  categories are dropped. Epsilon spent: ``privacy_spent()``. Its DP noise comes from
  ``os.urandom``, not ``random_state`` (by design), so a DP row differs from run to run.
- ``tabularargn``: MOSTLY AI's TabularARGN (its own venv, ``make peers``) with
  ``differential_privacy={'max_epsilon', 'delta': 1e-5, 'value_protection_epsilon': E_vp}``.
  Its engine stops training when DP-SGD's epsilon + E_vp reaches max_epsilon, E_vp split in
  ``n_columns + 1`` equal shares (columns and a sequence length that a flat table never spends).
  But each numeric column with fewer than 100 distinct values spends its share twice (bounds,
  then rare values) without counting it. So that its true total equals E: ``E_vp = 0.1 E``
  (the 10 % our synthesizers spend on their statistics by default) and
  ``max_epsilon = E - (k - 1) E_vp / (n_columns + 1)`` for ``k >= 1`` such columns (counted on
  the train half; E with none). Its delta is all DP-SGD's (value protection is Laplace noise).
  The engine counts values in each of its own partitions (80 % / 20 % of the train half), so a
  column with 100 or more values in the train half may spend twice too (demo: ``student_id``,
  ``mba_perc``): each adds ``E_vp / (n_columns + 1)`` to the true total, not counted here.
  Epsilon spent: the cost JSON's ``epsilon_spent`` (DP-SGD + the nominal E_vp) with the nominal
  E_vp replaced by the one actually spent, ``E_vp (n_columns + k) / (n_columns + 1)``.

``--epochs`` overrides both models' epochs (ours: ``epochs``, and ``dp_epochs`` under DP;
TabularARGN's ``max_epochs``) for quick runs.
Fits run in spawned processes (``--jobs`` at once, one thread each). ``--out`` gets
``privacy.csv`` (per seed; rewritten as fits end), ``privacy_summary.csv`` (means over seeds)
and ``mia_auc_vs_epsilon.png``; the summary is printed as a markdown table (mean ± sd).

Usage: python benchmarks/privacy.py --out DIR [--tables crop credit demo]
    [--epsilons none 1 3 10] [--seeds 0 1 2] [--synthesizers attncorr tabularargn]
    [--epochs N] [--jobs 2]
"""

import argparse
import math
import multiprocessing
import os
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from sdv_attncorr.benchmark import peers
from sdv_attncorr.benchmark.report import format_cell
from sdv_attncorr.benchmark.runner import make_job, run_worker
from sdv_attncorr.benchmark.tables import (
    DISCRETE_SDTYPES,
    TableSpec,
    built_in_spec,
    find_shared_csv,
    load_file,
    load_table,
    table_note,
)

DELTA = 1e-5
VALUE_PROTECTION_SHARE = 0.1
DISCRETE_MAX_VALUES = 100  # TabularARGN counts the values of numeric columns with fewer
CREDIT = ('credit_data.csv', 'Status')
TABLES = ('crop', 'credit', 'demo')
NAMES = ('attncorr', 'tabularargn')
NO_DP = 'none'
MIA_AXIS = (0.35, 0.8)
KEYS = ['table', 'synthesizer', 'epsilon', 'seed']
# (header, record key, decimals)
SUMMARY = [
    ('quality', 'quality', 3),
    ('TSTR (F1)', 'utility', 3),
    ('MIA AUC', 'membership_auc', 3),
    ('fit s', 'fit_s', 1),
    ('ε spent', 'epsilon_spent', 2),
]
SUMMARY_KEYS = [key for _, key, _ in SUMMARY]
CSV_FILE, SUMMARY_FILE, PLOT_FILE = 'privacy.csv', 'privacy_summary.csv', 'mia_auc_vs_epsilon.png'


def epsilon_argument(text):
    """Parse ``none`` or a positive number (argparse type)."""
    if text.lower() == NO_DP:
        return NO_DP
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f'epsilon must be positive or none, got {text!r}')
    return f'{value:g}'


def positive_int(text):
    """Parse a positive integer (argparse type)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'expected a positive integer, got {text!r}')
    return value


def parse_args(argv=None):
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--tables', nargs='+', choices=TABLES, default=list(TABLES))
    parser.add_argument(
        '--epsilons', nargs='+', type=epsilon_argument, default=[NO_DP, '1', '3', '10']
    )
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    parser.add_argument('--synthesizers', nargs='+', choices=NAMES, default=list(NAMES))
    parser.add_argument('--epochs', type=int, default=None, help='override every model epochs')
    parser.add_argument('--jobs', type=positive_int, default=2, help='fits at once, 1 thread each')
    parser.add_argument('--out', type=Path, required=True, help='output folder')
    return parser.parse_args(argv)


def table_spec(name):
    """Return ``(spec, None)`` for crop, credit or demo, or ``(None, reason)`` when absent."""
    if name != 'credit':
        return built_in_spec(name)
    file_name, target = CREDIT
    path = find_shared_csv(file_name)
    if path is None:
        return None, f'credit skipped: {file_name} not found in ../shared/data'
    return TableSpec('credit', partial(load_file, path, 'credit', target), target), None


def declared_categories(table, seed):
    """Return ``{column: categories}`` of the discrete columns over the whole table (public)."""
    whole = pd.concat(table.splits[seed], ignore_index=True)
    columns = table.metadata.to_dict()['tables'][table.table_name]['columns']
    declared = {}
    for name, info in columns.items():
        if info['sdtype'] in DISCRETE_SDTYPES:
            missing = [np.nan] if whole[name].isna().any() else []
            declared[name] = list(whole[name].dropna().unique()) + missing
    return declared


def double_spenders(train):
    """Count the numeric columns with fewer than 100 distinct values (TabularARGN's ``k``)."""
    numeric = [
        name
        for name in train.columns
        if pd.api.types.is_integer_dtype(train[name]) or pd.api.types.is_float_dtype(train[name])
    ]
    return sum(train[name].nunique() < DISCRETE_MAX_VALUES for name in numeric)


def argn_budget(train, epsilon):
    """Return TabularARGN's ``differential_privacy`` for a true total ``epsilon``, and facts.

    Returns:
        tuple[dict, dict]:
            The argument, and ``argn_k``, ``argn_vp_nominal`` and ``argn_vp_spent`` (the value
            protection epsilon the engine counts, and the one it spends).
    """
    n_columns, k = train.shape[1], double_spenders(train)
    nominal = VALUE_PROTECTION_SHARE * epsilon
    share = nominal / (n_columns + 1)
    privacy = {
        'max_epsilon': epsilon - max(k - 1, 0) * share,
        'delta': DELTA,
        'value_protection_epsilon': nominal,
    }
    facts = {'argn_k': k, 'argn_vp_nominal': nominal, 'argn_vp_spent': share * (n_columns + k)}
    return privacy, facts


def make_task(name, table, seed, epsilon, epochs):
    """Build one fit: synthesizer ``name`` on ``table``'s split ``seed`` at ``epsilon``."""
    one_split = replace(table, splits={seed: table.splits[seed]})
    return {'name': name, 'table': one_split, 'seed': seed, 'epsilon': epsilon, 'epochs': epochs}


def dp_arguments(name, table, seed, epsilon):
    """Return the DP constructor arguments of ``name`` at ``epsilon``, and facts to record."""
    if epsilon == NO_DP:
        return {}, {}
    if name == 'attncorr':
        declared = declared_categories(table, seed)
        return {'epsilon': float(epsilon), 'delta': DELTA, 'dp_declared': declared}, {}
    privacy, facts = argn_budget(table.splits[seed][0], float(epsilon))
    return {'differential_privacy': privacy}, facts


def fit_ours(job):
    """Fit and sample ours with ``runner.run_worker`` (which adds ``privacy_spent()``)."""
    result = run_worker(job)
    return {'epsilon_spent': math.nan, 'delta_spent': math.nan, **result}


def scores(table, seed, synthetic):
    """The benchmark's quality, TSTR and MIA AUC (``metrics``) of ``synthetic``."""
    from sdv_attncorr.benchmark import metrics

    train, test = table.splits[seed]
    parts = (train, test, synthetic, table.metadata, table.table_name)
    utility = {'utility': metrics.utility_score(*parts, table.target)}
    return {**metrics.sdmetrics_scores(*parts), **utility, **metrics.train_half_scores(*parts)}


def run_task(task):
    """Fit and score one task (in a fresh spawned process); a failure becomes ``error``."""
    from threadpoolctl import threadpool_limits

    warnings.simplefilter('ignore')
    name, seed, epsilon = task['name'], task['seed'], task['epsilon']
    table = task['table']
    record = {'table': table.name, 'synthesizer': name, 'epsilon': epsilon, 'seed': seed}
    params, facts = dp_arguments(name, table, seed, epsilon)
    runner = peers.run_peer if name in peers.PEERS else fit_ours
    try:
        with threadpool_limits(1):
            if name == 'attncorr' and task['epochs'] and epsilon != NO_DP:
                params = {**params, 'dp_epochs': task['epochs']}  # DP reads dp_epochs
            cost = runner(make_job(name, table, seed, task['epochs'], {name: params}, 1))
            synthetic = cost.pop('synthetic')
            record.update(cost, **scores(table, seed, synthetic))
    except Exception as error:  # noqa: BLE001 (report any failure, run the rest)
        return {**record, 'error': repr(error)}
    if facts:  # TabularARGN under DP: count the value protection it really spent
        spent = record['epsilon_spent'] - facts['argn_vp_nominal'] + facts['argn_vp_spent']
        record.update(facts, epsilon_spent=spent, delta_spent=DELTA)
    return record


def epsilon_order(label):
    """Sort key of an epsilon label: numbers ascending, ``none`` last."""
    return math.inf if label == NO_DP else float(label)


def per_seed_frame(records, order):
    """The per-seed records, key columns first, sorted; columns without a value left out."""
    frame = pd.DataFrame(records)
    rank = {name: index for index, name in enumerate(order)}
    sort = (
        frame[['table', 'synthesizer']]
        .map(rank.get)
        .assign(epsilon=frame['epsilon'].map(epsilon_order), seed=frame['seed'])
    )
    frame = frame.loc[sort.sort_values(KEYS).index].reset_index(drop=True)
    empty = [key for key in frame if frame[key].isna().all() and key not in SUMMARY_KEYS]
    return frame[KEYS + [key for key in frame if key not in KEYS + empty]]


def summary_frame(frame):
    """Means over seeds per table x synthesizer x epsilon, with the number of seeds."""
    groups = frame.groupby(KEYS[:-1], sort=False)
    means = groups.mean(numeric_only=True).drop(columns='seed')
    return means.assign(seeds=groups.size()).reset_index()


def markdown_table(frame):
    """Mean ± sd over seeds of the summary figures, one row per table x synthesizer x epsilon."""
    headers = ['table', 'synthesizer', 'ε', 'seeds'] + [header for header, _, _ in SUMMARY]
    lines = ['| ' + ' | '.join(headers) + ' |', '|' + '---|' * 3 + '---:|' * (len(headers) - 3)]
    for (table, name, epsilon), group in frame.groupby(KEYS[:-1], sort=False):
        cells = [table, name, epsilon, str(len(group))]
        cells += [format_cell(group[key].tolist(), decimals) for _, key, decimals in SUMMARY]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def mia_figure(summary):
    """MIA AUC against epsilon (no DP at the right), one panel per table, a line per synthesizer."""
    from matplotlib.figure import Figure

    labels = sorted(summary['epsilon'].unique(), key=epsilon_order)
    tables = list(dict.fromkeys(summary['table']))
    figure = Figure(figsize=(4.2 * len(tables), 3.6), layout='constrained')
    for axis, table in zip(figure.subplots(1, len(tables), squeeze=False)[0], tables):
        rows = summary[summary['table'] == table]
        for name, group in rows.groupby('synthesizer', sort=False):
            group = group.sort_values('epsilon', key=lambda column: column.map(epsilon_order))
            positions = [labels.index(label) for label in group['epsilon']]
            axis.plot(positions, group['membership_auc'], marker='o', label=name)
        axis.axhline(0.5, color='grey', linestyle='--', linewidth=1)
        axis.set_ylim(*MIA_AXIS)  # one fixed range: noise around 0.5 stays small
        axis.set_xticks(range(len(labels)), [_tick(label) for label in labels])
        axis.set(title=table, xlabel='ε', ylabel='MIA AUC (mean over seeds)')
        axis.legend(fontsize=8)
    return figure


def _tick(label):
    return 'no DP' if label == NO_DP else label


def write_outputs(folder, records, order):
    """Rewrite the per-seed CSV; return its frame (None without a record)."""
    if not records:
        return None
    frame = per_seed_frame(records, order)
    frame.to_csv(folder / CSV_FILE, index=False)
    return frame


def record_notes(records):
    """Notes on per-seed records: epsilon spent over the target."""
    notes = []
    for record in records:
        label = ' / '.join(str(record[key]) for key in KEYS)
        if record['epsilon'] != NO_DP and record['epsilon_spent'] > 1.01 * float(record['epsilon']):
            notes.append(f'{label}: spent ε {record["epsilon_spent"]:.2f} (over its cap)')
    return notes


def log(message):
    """Print progress to stderr, so that stdout holds the figures."""
    print(message, file=sys.stderr, flush=True)


def available(names, notes):
    """Return the synthesizers that can run; a note for a peer whose venv is absent."""
    kept = []
    for name in names:
        reason = peers.unavailable_reason(name) if name in peers.PEERS else None
        if reason:
            notes.append(f'{name} skipped: {reason}')
        else:
            kept.append(name)
    return kept


def load_tables(names, seeds, notes):
    """Load and split each table once per seed; a note for each absent table."""
    tables = []
    for name in names:
        spec, reason = table_spec(name)
        if reason:
            notes.append(reason)
            continue
        tables.append(load_table(spec, seeds))
        notes.append(table_note(tables[-1]))
    return tables


def run_tasks(tasks, jobs, folder, order):
    """Run the tasks ``jobs`` at a time, each in a fresh spawned process; return the records."""
    records, failures = [], []
    context = multiprocessing.get_context('spawn')
    with ProcessPoolExecutor(jobs, mp_context=context, max_tasks_per_child=1) as executor:
        futures = [executor.submit(run_task, task) for task in tasks]
        for done, future in enumerate(as_completed(futures), start=1):
            record = future.result()
            label = ' / '.join(str(record[key]) for key in KEYS)
            if 'error' in record:
                failures.append(f'{label} failed: {record["error"]}')
                log(failures[-1])
                continue
            records.append(record)
            write_outputs(folder, records, order)
            log(f'[{done}/{len(tasks)}] {label}: MIA AUC {record["membership_auc"]:.3f}')
    return records, failures


def main(argv=None):
    """Run every fit, write the CSVs and the curve, print the summary and the notes."""
    args = parse_args(argv)
    for variable in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'):
        os.environ[variable] = '1'  # spawned workers inherit it
    args.out.mkdir(parents=True, exist_ok=True)
    notes = [
        'attncorr under DP: dp_declared = the category lists of the discrete columns over the '
        'whole table (the domain, treated as public knowledge).',
        'tabularargn under DP: value_protection_epsilon = 0.1 ε, max_epsilon = ε - (k - 1) · '
        'that / (columns + 1) for k >= 1 numeric columns of < 100 values (privacy.csv: argn_*).',
    ]
    names = available(args.synthesizers, notes)
    tables = load_tables(args.tables, args.seeds, notes)
    tasks = [
        make_task(name, table, seed, epsilon, args.epochs)
        for table in tables
        for name in names
        for epsilon in args.epsilons
        for seed in args.seeds
    ]
    log(f'{len(tasks)} fits, {args.jobs} at once')
    records, failures = run_tasks(tasks, args.jobs, args.out, [t.name for t in tables] + names)
    frame = write_outputs(args.out, records, [t.name for t in tables] + names)
    if frame is not None:
        summary = summary_frame(frame)
        summary.to_csv(args.out / SUMMARY_FILE, index=False)
        mia_figure(summary).savefig(args.out / PLOT_FILE, dpi=110)
        print(markdown_table(frame))
    notes += record_notes([] if frame is None else frame.to_dict('records')) + failures
    print('\n' + '\n'.join(f'- {note}' for note in notes))


if __name__ == '__main__':
    main()
