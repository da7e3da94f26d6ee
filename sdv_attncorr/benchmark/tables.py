"""The benchmark's tables: built-in ones and the user's files, loaded and split 50/50."""

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from sdv_attncorr.benchmark import BenchmarkInputError
from sdv_attncorr.files import TABLE_SUFFIXES, read_table_file

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_FILES = {'crop': 'crop_recommendation.csv', 'abalone': 'abalone_cleaned.csv'}
BUILT_IN = ('crop', 'demo', 'abalone')
QUICK_TABLES = ('crop', 'demo')
DISCRETE_SDTYPES = ('categorical', 'boolean', 'ordinal')


@dataclass(frozen=True)
class TableSpec:
    """A table to benchmark: its label, how to load it and its target (TSTR) column.

    ``load`` returns ``(data, metadata, table_name)``.
    """

    name: str
    load: Callable
    target: str


@dataclass
class Table:
    """A loaded table and its train / held-out splits, keyed by seed."""

    name: str
    metadata: object
    table_name: str
    target: str
    class_column: str | None
    splits: dict = field(default_factory=dict)


def shared_data_dirs():
    """Folders that may hold the shared CSVs: ``../shared/data`` of the cwd and of the repo."""
    candidates = [Path.cwd().parent / 'shared' / 'data', REPO_ROOT.parent / 'shared' / 'data']
    return list(dict.fromkeys(path.resolve() for path in candidates))


def find_shared_csv(file_name):
    """Return the path of a shared CSV, or None when no candidate folder has it."""
    for folder in shared_data_dirs():
        if (folder / file_name).is_file():
            return folder / file_name

    return None


def detect_metadata(data, table_name, class_column=None):
    """Detect SDV metadata for one table; ``class_column`` is made categorical."""
    from sdv.metadata import Metadata

    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        metadata = Metadata.detect_from_dataframes({table_name: data})
    if class_column is not None:
        metadata.update_column(class_column, table_name=table_name, sdtype='categorical')

    return metadata


def load_file(path, table_name, class_column):
    """Load a CSV / Parquet table with detected metadata (the class column categorical)."""
    data = read_table_file(path, BenchmarkInputError)
    return data, detect_metadata(data, table_name, class_column), table_name


def load_demo_table():
    """Student placements shipped with sdmetrics, with its own metadata (dates, id)."""
    from sdv_attncorr.datasets import load_demo

    return load_demo()


def built_in_spec(name):
    """Return ``(spec, None)`` for a built-in table, or ``(None, reason)`` when it is absent.

    ``crop``: 7 numbers and the categorical ``label`` (22 crops); ``abalone``: 7 standardised
    numbers and the numerical ``target`` (rings); ``demo``: student placements, ``placed``.
    """
    if name == 'demo':
        return TableSpec('demo', load_demo_table, 'placed'), None
    path = find_shared_csv(SHARED_FILES[name])
    if path is None:
        folders = ' or '.join(str(folder) for folder in shared_data_dirs())
        return None, f'{name} skipped: {SHARED_FILES[name]} not found in {folders}'
    class_column = 'label' if name == 'crop' else None
    target = 'label' if name == 'crop' else 'target'
    return TableSpec(name, partial(load_file, path, name, class_column), target), None


def file_spec(text, class_column):
    """Return the spec of a user's CSV / Parquet file, checked to hold ``class_column``."""
    path = Path(text)
    if path.suffix.lower() not in TABLE_SUFFIXES:
        raise BenchmarkInputError(
            f'unknown table {text!r}: give {", ".join(BUILT_IN)} or a .csv / .parquet file.'
        )
    if not path.is_file():
        raise BenchmarkInputError(f'{path}: no such file.')
    if class_column is None:
        raise BenchmarkInputError(f'{path}: a table file needs --class-column (its TSTR target).')
    data = read_table_file(path, BenchmarkInputError)
    if class_column not in data.columns:
        raise BenchmarkInputError(f'{path} has no column {class_column!r} (--class-column).')
    metadata = detect_metadata(data, path.stem, class_column)
    return TableSpec(path.stem, lambda: (data, metadata, path.stem), class_column)


def resolve_tables(names, class_column=None):
    """Turn table names and file paths into specs, checking the files first.

    Args:
        names (list[str]):
            ``crop``, ``demo``, ``abalone`` or paths of CSV / Parquet files.
        class_column (str or None):
            The class (and TSTR target) column of the files; required when a file is given.

    Returns:
        tuple[list[TableSpec], list[str]]:
            The specs, and a note for each built-in table skipped because its file is absent.
    """
    specs: list[TableSpec] = []
    notes: list[str] = []
    for name in dict.fromkeys(names):
        spec, reason = (
            built_in_spec(name) if name in BUILT_IN else (file_spec(name, class_column), None)
        )
        if reason:
            notes.append(reason)
            continue
        if any(spec.name == other.name for other in specs):
            raise BenchmarkInputError(f'two tables are named {spec.name!r}; rename one file.')
        specs.append(spec)

    return specs, notes


def is_discrete(metadata, table_name, column):
    """Whether ``column`` has a discrete sdtype (then it is a class column, not a number)."""
    columns = metadata.to_dict()['tables'][table_name]['columns']
    return columns[column]['sdtype'] in DISCRETE_SDTYPES


def split(data, target, stratify, seed):
    """Split 50/50 into train / held-out with ``seed``, stratified on ``target`` if asked.

    A class too small to stratify on falls back to a plain random split.
    """
    from sklearn.model_selection import train_test_split

    try:
        stratify_on = data[target] if stratify else None
        train, test = train_test_split(data, test_size=0.5, random_state=seed, stratify=stratify_on)
    except ValueError:
        train, test = train_test_split(data, test_size=0.5, random_state=seed)

    return train.reset_index(drop=True), test.reset_index(drop=True)


def load_table(spec, seeds):
    """Load the table of ``spec`` and split it once per seed."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        data, metadata, table_name = spec.load()
    class_column = spec.target if is_discrete(metadata, table_name, spec.target) else None
    table = Table(spec.name, metadata, table_name, spec.target, class_column)
    for seed in seeds:
        table.splits[seed] = split(data, spec.target, class_column is not None, seed)

    return table


def table_note(table):
    """Describe the table's train rows and what TSTR means on it."""
    metric = 'macro F1' if table.class_column else 'R² (numerical target)'
    rows = len(next(iter(table.splits.values()))[0])
    return f'{table.name}: {rows} train rows; TSTR target `{table.target}`, {metric}'
