"""Reading what users type and give: table files and literal values (CLI and benchmark)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

TABLE_SUFFIXES = ('.csv', '.parquet', '.pq')


def read_table_file(path: Path, error: type[Exception] = ValueError) -> pd.DataFrame:
    """Read a CSV file, or a Parquet file for any other suffix.

    Args:
        path (pathlib.Path):
            The file.
        error (type[Exception]):
            The exception raised, naming the file and the reason, when it cannot be read.

    Returns:
        pandas.DataFrame:
            The table.
    """
    import pandas as pd

    try:
        if path.suffix.lower() == '.csv':
            return pd.read_csv(path)
        return pd.read_parquet(path)
    except (OSError, ValueError, ImportError, pd.errors.ParserError) as reason:
        raise error(f'{path}: cannot be read as a table ({reason}).') from reason


def parse_literal(text: str) -> Any:
    """Read ``text`` as a Python literal (number, bool, None, tuple, list) or keep the string.

    ``true`` and ``false`` in any case are booleans too, as a command line is often written.
    """
    if text.strip().lower() in ('true', 'false'):
        return text.strip().lower() == 'true'

    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
