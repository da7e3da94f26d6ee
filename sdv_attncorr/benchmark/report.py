"""The benchmark's results as a markdown table (mean ± sd over seeds) and a per-seed CSV."""

import csv
import math
from pathlib import Path

import numpy as np

# (header, record key, decimals)
COLUMNS = [
    ('quality', 'quality', 3),
    ('shapes', 'shapes', 3),
    ('pair trends', 'pair_trends', 3),
    ('pair trends (all pairs)', 'pair_trends_all', 3),
    ('mean abs Δ Pearson', 'pearson_delta', 3),
    ('class-wise abs Δ Pearson', 'classwise_delta', 3),
    ('TSTR (F1 / R²)', 'utility', 3),
    ('diagnostic', 'diagnostic', 3),
    ('MFS distance', 'mfs_distance', 2),
    ('exact copies', 'exact_copy_share', 3),
    ('DCR ratio', 'dcr_ratio', 2),
    ('MIA AUC', 'membership_auc', 3),
    ('fit s', 'fit_s', 1),
    ('s / epoch', 's_per_epoch', 3),
    ('G steps', 'steps', 0),
    ('D steps', 'critic_steps', 0),
    ('rows / s', 'rows_per_s', 0),
    ('peak MB', 'peak_mb', 0),
]
HEADERS = ['table', 'synthesizer', 'seeds'] + [header for header, _, _ in COLUMNS]
CSV_FIELDS = ['table', 'synthesizer', 'seed'] + [key for _, key, _ in COLUMNS]
CSV_FIELDS += ['epochs', 'import_mb']
MARKDOWN_FILE, CSV_FILE = 'results.md', 'results.csv'


def finite_values(records, key):
    """Return the finite values of ``key`` over the records (missing and NaN left out)."""
    values = [record.get(key, math.nan) for record in records]
    return [value for value in values if value is not None and math.isfinite(value)]


def mean_sd(records, key):
    """Return ``(mean, sample sd)`` of ``key``: NaN mean without values, sd 0 for one value."""
    values = finite_values(records, key)
    if not values:
        return math.nan, math.nan
    sd = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
    return float(np.mean(values)), sd


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
    with open(path, 'w', newline='', encoding='utf-8') as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction='ignore')
        writer.writeheader()
        for records in groups:
            writer.writerows(records)


def write_tables(folder, results):
    """Write ``results.md`` and ``results.csv`` into ``folder`` (again, after each row)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKDOWN_FILE).write_text(markdown_table(results.groups, results.notes), 'utf-8')
    write_csv(folder / CSV_FILE, results.groups)
