"""TableEncoder: a processed DataFrame to a float32 matrix and a ``TableLayout``, and back.

Discrete columns go through RDT's ``OneHotEncoder`` (missing values are a category of their
own, the inverse is exact). Numeric columns become one standard-normal score through their
quantiles (``QuantileNormalizer``); a numeric column with missing values also gets a discrete
null-indicator span, named ``'<column>#null'``.
"""

from __future__ import annotations

from collections.abc import Collection, Set
from typing import Any

import numpy as np
import pandas as pd
from rdt.transformers import OneHotEncoder

from sdv_attncorr.core.layout import CONTINUOUS, DISCRETE, NULL_SUFFIX, TableLayout
from sdv_attncorr.data.private_statistics import PrivateStatistics
from sdv_attncorr.data.quantile import QuantileNormalizer

ONE_HOT_CHUNK_ROWS = 65_536
"""int: Rows one-hot encoded at a time (bounds RDT's temporaries at large tables)."""
MIN_CLASS_CALIBRATION_ROWS = 200
"""int: Fewest training (and generated) rows of a class for the within-class calibration to
learn its own quantiles. With crop's 50 rows a crop (a benchmark half), each class's grid was
its own 50 values: quality rose 0.898 -> 0.928, but the synthetic rows came closer to the
training rows than held-out real rows are (DCR ratio 1.42 -> 0.93, membership AUC 0.513 ->
0.550, 3 splits), so such small classes keep the whole-table calibration."""


class TableEncoder:
    """Encode a processed table for the GAN engine.

    Attributes (after ``fit``):
        layout (TableLayout):
            The spans of an encoded row.
        columns (list[str]):
            The table's columns, in order.
        discrete_columns (list[str]):
            The columns encoded as categories.
    """

    # Encoders pickled before all-missing columns were skipped have no instance attribute.
    _always_missing: Set[str] = frozenset()
    # The class column of the within-class calibration (None: none, and in older files).
    _calibration_class: str | None = None

    def __init__(self) -> None:
        self.layout: TableLayout | None = None
        self.columns: list[str] = []
        self.discrete_columns: list[str] = []
        self._one_hot: dict[str, OneHotEncoder] = {}
        self._normalizers: dict[str, QuantileNormalizer] = {}
        self._has_nulls: dict[str, bool] = {}
        self._always_missing = set()
        self._dtypes: dict[str, Any] = {}

    def fit(
        self, data: pd.DataFrame, discrete_columns: Collection[str], protection: int = 1
    ) -> TableEncoder:
        """Learn each column's encoding.

        Args:
            data (pandas.DataFrame):
                The processed table.
            discrete_columns (Collection[str]):
                The columns to encode as categories; the others must be numeric.
            protection (int):
                Most extreme values protected at each end of a numeric column
                (``QuantileNormalizer.fit``); 1 keeps each observed range.

        Returns:
            TableEncoder:
                ``self``.
        """
        self._take_columns(data, discrete_columns)
        parts = []
        for column in self.columns:
            parts.extend(self._fit_column(data[column], column in discrete_columns, protection))

        self.layout = TableLayout.from_widths(parts)
        return self

    def fit_private(
        self,
        data: pd.DataFrame,
        discrete_columns: Collection[str],
        statistics: PrivateStatistics,
    ) -> TableEncoder:
        """Learn each column's encoding from released statistics only (differential privacy).

        The categories are the released ones (a value outside them must be replaced first:
        ``PrivateStatistics.replace_unreleased``); the quantile grids come from the released
        histograms; a null-indicator span exists where the released missing count is above
        twice the noise std. Nothing else of ``data`` is read but its columns and dtypes.

        Args:
            data (pandas.DataFrame):
                The processed table.
            discrete_columns (Collection[str]):
                The columns to encode as categories.
            statistics (PrivateStatistics):
                The release (``private_statistics.release_statistics``).

        Returns:
            TableEncoder:
                ``self``.
        """
        self._take_columns(data, discrete_columns)
        parts = []
        for column in self.columns:
            if column in discrete_columns:
                released = pd.Series(statistics.categories[column], name=column, dtype=object)
                parts.append(self._fit_one_hot(released))
                continue
            release = statistics.numeric[column]
            self._has_nulls[column] = release.missing > 2 * statistics.noise_std
            normalizer = QuantileNormalizer().fit_histogram(release.edges, release.counts)
            self._normalizers[column] = normalizer
            parts.extend(self._numeric_parts(column))

        self.layout = TableLayout.from_widths(parts)
        return self

    def _take_columns(self, data: pd.DataFrame, discrete_columns: Collection[str]) -> None:
        """Learn the table's columns, which of them are discrete, and their dtypes."""
        self.columns = list(data.columns)
        self.discrete_columns = [column for column in self.columns if column in discrete_columns]
        self._dtypes = data.dtypes.to_dict()

    def fitted_layout(self) -> TableLayout:
        """Return the layout of an encoded row; refuse before ``fit``."""
        if self.layout is None:
            raise RuntimeError('TableEncoder is not fitted: call fit() first.')

        return self.layout

    def _fit_column(
        self, series: pd.Series, is_discrete: bool, protection: int
    ) -> list[tuple[str, str, int]]:
        column = series.name
        if is_discrete:
            return [self._fit_one_hot(series)]

        values = pd.to_numeric(series, errors='raise').to_numpy(dtype=float)
        null = np.isnan(values)
        if null.all():
            # Nothing to learn: the column is generated missing, its score a constant 0.
            self._always_missing |= {column}
            values, null = np.zeros(1), np.zeros(1, dtype=bool)
        self._has_nulls[column] = bool(null.any())
        observed = values[~null]
        self._normalizers[column] = QuantileNormalizer().fit(observed, protection)
        return self._numeric_parts(column)

    def _fit_one_hot(self, series: pd.Series) -> tuple[str, str, int]:
        encoder = OneHotEncoder()
        encoder.fit(series.to_frame(), series.name)
        self._one_hot[series.name] = encoder
        return (series.name, DISCRETE, len(encoder.dummies))

    def _numeric_parts(self, column: str) -> list[tuple[str, str, int]]:
        parts = [(column, CONTINUOUS, 1)]
        if self._has_nulls[column]:
            parts.append((column + NULL_SUFFIX, DISCRETE, 2))

        return parts

    def transform(self, data: pd.DataFrame) -> np.ndarray:
        """Encode ``data``.

        Args:
            data (pandas.DataFrame):
                A processed table with the fitted columns.

        Returns:
            numpy.ndarray:
                Float32 matrix, shape ``[len(data), layout.width]``.
        """
        # Filled in place, column by column: at a million rows, concatenating float64 blocks
        # and casting them held three copies of the table at once.
        matrix = np.empty((len(data), self.fitted_layout().width), dtype=np.float32)
        position = 0
        for column in self.columns:
            if column in self._one_hot:
                position += self._one_hot_into(matrix, position, data[[column]])
                continue

            values = pd.to_numeric(data[column]).to_numpy(dtype=float)
            null = np.isnan(values)
            scores = self._normalizers[column].transform(np.where(null, 0.0, values))
            matrix[:, position] = np.where(null, 0.0, scores)
            position += 1
            if self._has_nulls[column]:
                matrix[:, position], matrix[:, position + 1] = ~null, null
                position += 2

        return matrix

    def _one_hot_into(self, matrix: np.ndarray, position: int, column: pd.DataFrame) -> int:
        """Write ``column``'s one-hot block at ``position``, in row chunks; return its width.

        RDT's encoder holds several ``[rows, categories]`` temporaries (2.5x the table at a
        million rows): a chunk at a time they stay small.
        """
        encoder = self._one_hot[column.columns[0]]
        width = 0
        for start in range(0, len(column), ONE_HOT_CHUNK_ROWS):
            encoded = encoder.transform(column.iloc[start : start + ONE_HOT_CHUNK_ROWS]).to_numpy()
            width = encoded.shape[1]
            matrix[start : start + len(encoded), position : position + width] = encoded
        return width

    def inverse_transform(
        self, matrix: np.ndarray, rng: np.random.Generator | None = None
    ) -> pd.DataFrame:
        """Decode a matrix of generated rows (one-hot discrete spans) to a table.

        Args:
            matrix (numpy.ndarray):
                Shape ``[n, layout.width]``.
            rng (numpy.random.Generator or None):
                Stratify the calibrated numbers of the rows with it
                (``QuantileNormalizer.inverse``); None maps each at its own rank.

        Returns:
            pandas.DataFrame:
                The processed table's columns, in order.
        """
        spans = {span.column: span for span in self.fitted_layout().spans}
        classes = self._calibration_classes(matrix)
        decoded = {}
        for column in self.columns:
            span = spans[column]
            block = matrix[:, span.start : span.end]
            if column in self._one_hot:
                decoded[column] = self._decode_categories(column, block)
                continue

            present = self._present(matrix, column)
            decoded[column] = self._decode_numbers(column, block[:, 0], present, classes, rng)

        return pd.DataFrame(decoded)

    def _decode_numbers(
        self,
        column: str,
        scores: np.ndarray,
        present: np.ndarray,
        classes: np.ndarray | None,
        rng: np.random.Generator | None,
    ) -> np.ndarray:
        """Map a numeric column's generated scores back, NaN where a row has no value.

        Only the ``present`` rows are mapped (and ranked, when ``rng`` stratifies).
        """
        values = np.full(len(scores), np.nan)
        if column in self._always_missing:
            return values

        own_classes = None if classes is None else classes[present]
        normalizer = self._normalizers[column]
        values[present] = normalizer.inverse(scores[present].astype(float), own_classes, rng)
        return values

    def _present(self, matrix: np.ndarray, column: str) -> np.ndarray:
        """Return which rows of ``matrix`` hold a value of numeric ``column`` (not missing)."""
        if not self._has_nulls[column]:
            return np.ones(len(matrix), dtype=bool)

        null_name = column + NULL_SUFFIX
        null_start = next(s.start for s in self.fitted_layout().spans if s.column == null_name)
        return matrix[:, null_start + 1] <= matrix[:, null_start]

    def calibrate(self, matrix: np.ndarray) -> None:
        """Learn the generator's distribution of each numeric column from generated rows.

        From then on ``inverse_transform`` keeps each generated number's rank among the
        generator's values of its column and gives it the training quantile at that rank
        (``QuantileNormalizer.calibrate``): numbers follow the fitted marginals exactly,
        while how they vary together and with the categories stays the generator's.

        Args:
            matrix (numpy.ndarray):
                Generated rows (one-hot discrete spans), ``[n, layout.width]``.
        """
        layout = self.fitted_layout()
        for span in layout.continuous_spans:
            if span.column in self._always_missing:
                continue
            scores = matrix[self._present(matrix, span.column), span.start].astype(float)
            if len(scores):
                self._normalizers[span.column].calibrate(scores)

    def calibrate_within(self, matrix: np.ndarray, real: np.ndarray, class_column: str) -> None:
        """Calibrate each numeric column within each class of ``class_column`` too.

        After ``calibrate``: a generated number of a class with at least
        ``MIN_CLASS_CALIBRATION_ROWS`` training rows (and as many generated ones) keeps its
        rank among the generator's values of its column in that class and takes the training
        quantile of that class at that rank (``QuantileNormalizer.calibrate_within``); rows of
        smaller classes keep the column's calibration.

        Args:
            matrix (numpy.ndarray):
                Generated rows (one-hot discrete spans), ``[n, layout.width]``.
            real (numpy.ndarray):
                The encoded training rows, ``[n_rows, layout.width]``.
            class_column (str):
                A discrete column.
        """
        self._calibration_class = class_column
        generated_classes = self._classes_in(matrix, class_column)
        real_classes = self._classes_in(real, class_column)
        for span in self.fitted_layout().continuous_spans:
            if span.column in self._always_missing:
                continue
            ours, theirs = self._present(matrix, span.column), self._present(real, span.column)
            self._normalizers[span.column].calibrate_within(
                (matrix[ours, span.start].astype(float), generated_classes[ours]),
                (real[theirs, span.start].astype(float), real_classes[theirs]),
                MIN_CLASS_CALIBRATION_ROWS,
            )

    def _calibration_classes(self, matrix: np.ndarray) -> np.ndarray | None:
        """Return each row's class of the within-class calibration (None without one)."""
        if self._calibration_class is None:
            return None

        return self._classes_in(matrix, self._calibration_class)

    def _classes_in(self, matrix: np.ndarray, column: str) -> np.ndarray:
        """Return each row's category index in discrete ``column``."""
        span = next(s for s in self.fitted_layout().spans if s.column == column)
        return matrix[:, span.start : span.end].argmax(axis=1)

    def _decode_categories(self, column: str, block: np.ndarray) -> pd.Series:
        dummies = np.empty(len(self._one_hot[column].dummies), dtype=object)
        dummies[:] = self._one_hot[column].dummies
        values = pd.Series(dummies[block.argmax(axis=1)])
        dtype = self._dtypes[column]
        if values.notna().all() and not pd.api.types.is_object_dtype(dtype):
            return values.astype(dtype)

        return values

    def normalizer_of(self, column: str) -> QuantileNormalizer | None:
        """Return the quantile transform of a numeric column (None for a discrete one)."""
        return self._normalizers.get(column)

    def category_index(self, column: str, value: object) -> int | None:
        """Return the position of ``value`` among the categories of a discrete column.

        Args:
            column (str):
                A discrete column.
            value (object):
                One of its categories (NaN for missing values).

        Returns:
            int or None:
                The position, or None if the category was never seen.
        """
        for position, category in enumerate(self._one_hot[column].dummies):
            if (pd.isna(category) and pd.isna(value)) or category == value:
                return position

        return None

    def categories_of(self, column: str) -> list[Any]:
        """Return the categories of a discrete column, in encoding order."""
        return list(self._one_hot[column].dummies)

    def categories(self, matrix: np.ndarray) -> np.ndarray:
        """Return the category index of each row in each discrete span.

        Args:
            matrix (numpy.ndarray):
                Encoded rows, shape ``[n, layout.width]``.

        Returns:
            numpy.ndarray:
                Int64 array, shape ``[n, n_discrete_spans]``.
        """
        spans = self.fitted_layout().discrete_spans
        return (
            np.stack([matrix[:, s.start : s.end].argmax(axis=1) for s in spans], axis=1)
            if spans
            else np.zeros((len(matrix), 0), dtype=np.int64)
        )

    def equal_width_edges(self, data: pd.DataFrame, bins: int) -> np.ndarray:
        """Return the interior edges of ``bins`` equal-width bins of each numeric column, encoded.

        The edges are SDMetrics' (``numpy.histogram_bin_edges`` of the observed values) mapped
        through the column's normal-score transform, which is increasing, so a value and its
        score fall in the same bin.

        Args:
            data (pandas.DataFrame):
                The processed table the encoder was fitted on.
            bins (int):
                Number of bins.

        Returns:
            numpy.ndarray:
                Float32 array, shape ``[n_continuous_spans, bins - 1]``.
        """
        edges = []
        for span in self.fitted_layout().continuous_spans:
            values = pd.to_numeric(data[span.column]).to_numpy(dtype=float)
            observed = values[~np.isnan(values)]
            interior = np.histogram_bin_edges(observed if observed.size else [0.0], bins)[1:-1]
            edges.append(self._normalizers[span.column].transform(interior))
        return np.asarray(edges, dtype=np.float32).reshape(-1, bins - 1)
