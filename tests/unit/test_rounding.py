"""Dropping SDV's rounding where it only moves the last bits of full-precision numbers."""

import numpy as np
import pandas as pd
from sdv.data_processing.numerical_formatter import NumericalFormatter

from sdv_attncorr.synthesizers.rounding import (
    decimals_beyond_precision,
    drop_rounding_beyond_precision,
)

STANDARDISED = pd.Series((np.arange(6) - 2.5) / 1.7078251276599330)


def test_standardised_values_are_moved_by_rounding_at_15_decimals():
    assert not np.array_equal(STANDARDISED.round(15), STANDARDISED)  # the premise
    assert decimals_beyond_precision(STANDARDISED, 15)


def test_rounding_within_a_float64_is_kept():
    assert not decimals_beyond_precision(STANDARDISED, 2)  # a coarser format the user asked for
    assert not decimals_beyond_precision(STANDARDISED, 14)
    assert not decimals_beyond_precision(pd.Series([0.25, 1.5, np.nan]), 15)  # exact there
    assert not decimals_beyond_precision(pd.Series([np.nan, np.inf]), 15)


def test_only_the_formatters_whose_rounding_moves_bits_lose_it():
    data = pd.DataFrame({'z': STANDARDISED, 'money': [1.25, 2.5, 3.75, 4.0, 5.5, 6.25]})
    formatters = {}
    for column, decimals in (('z', 15), ('money', 2)):
        formatters[column] = NumericalFormatter(enforce_rounding=True, decimal_places=decimals)
        formatters[column].learn_format(data[column])

    assert drop_rounding_beyond_precision(formatters, data) == ['z']
    assert formatters['z']._rounding_digits is None
    assert formatters['money']._rounding_digits == 2
    assert np.array_equal(formatters['z'].format_data(data['z']), data['z'])
