"""The built-in demo table: student placements, shipped inside sdmetrics (no download)."""

from __future__ import annotations

import copy

import pandas as pd
from sdmetrics.demos import load_single_table_demo
from sdv.metadata import Metadata

DEMO_TABLE = 'student_placements'


def load_demo() -> tuple[pd.DataFrame, Metadata, str]:
    """Load the student-placements table and SDV 2.0 metadata for it.

    The metadata shipped with sdmetrics gives ``student_id`` a ``regex_format`` that SDV 2.0
    rejects; it is dropped (the id is still generated as a unique id), as is the
    ``computer_representation`` key SDV 2.0 ignores with a warning. The table's columns are
    put in the metadata's order, which SDV otherwise warns about on every fit.

    Returns:
        tuple[pandas.DataFrame, sdv.metadata.Metadata, str]:
            The table, its metadata and the table name.
    """
    real, _, metadata_dict = load_single_table_demo()
    metadata_dict = copy.deepcopy(metadata_dict)
    metadata_dict['METADATA_SPEC_VERSION'] = 'V1'
    for table in metadata_dict['tables'].values():
        for column in table['columns'].values():
            column.pop('regex_format', None)
            column.pop('computer_representation', None)

    data = real[DEMO_TABLE] if isinstance(real, dict) else real
    columns = list(metadata_dict['tables'][DEMO_TABLE]['columns'])
    return data[columns], Metadata.load_from_dict(metadata_dict), DEMO_TABLE
