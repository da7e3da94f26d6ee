"""The pandas-facing model: a ``TableEncoder`` plus the GAN engine (like ``ctgan.CTGAN``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from sdv_attncorr.core.engine import GANEngine
from sdv_attncorr.core.privacy.accountant import PrivacyLedger, gaussian_rdp, noise_for_share
from sdv_attncorr.core.random import RngState, make_rng
from sdv_attncorr.core.training.config import GANConfig
from sdv_attncorr.core.training.fidelity import CONTINUOUS_BINS
from sdv_attncorr.data.encoder import TableEncoder
from sdv_attncorr.data.private_statistics import release_statistics, released_span_counts

STATISTICS_PART = 'statistics (encoder and sampler)'
CALIBRATION_ROWS = 20_000
"""Most generated rows that ``marginal_calibration`` learns the generator's marginals from.

A fit draws ``CALIBRATION_ROWS_PER_ROW`` per training row, between ``MIN_CALIBRATION_ROWS``
and this. The learned distribution is then off by about a third of the training sample's own
error (Kolmogorov-Smirnov distance ~ 1 / sqrt(rows)), and by about 0.006 from 2,000 training
rows on. Drawing 20,000 rows took 2.9 s on ames_housing (74 columns, one thread; 7.7 s for
50,000) and 0.6 s on lending_club; a 107-row table draws 1,070."""
CALIBRATION_ROWS_PER_ROW = 10
MIN_CALIBRATION_ROWS = 1_000
THRESHOLD_PART = 'category thresholds'


class GANModel:
    """Fit a conditional tabular GAN on a processed table and sample from it.

    Args:
        config (GANConfig):
            The hyperparameters (``class_column`` among them).
        device (str or torch.device):
            Where to train. Sampling runs there too when that device is at hand, else on the
            CPU (``sampling_device``). The same random state gives the same rows on the same
            kind of device; a GPU draws other rows than the CPU (its own generator, seeded from
            the sampling state, and its own kernels).
    """

    def __init__(self, config: GANConfig, *, device: torch.device | str = 'cpu') -> None:
        self.config = config
        self.device = torch.device(device)
        self.encoder = TableEncoder()
        self.engine: GANEngine | None = None
        self.loss_values: pd.DataFrame | None = None
        self.threshold_delta = 0.0
        self._rng = make_rng(None)

    def fit(
        self, data: pd.DataFrame, discrete_columns: Sequence[str], callbacks: Sequence[Any] = ()
    ) -> None:
        """Fit the encoder and train the engine.

        Args:
            data (pandas.DataFrame):
                The processed table.
            discrete_columns (list[str]):
                Its columns to model as categories.
            callbacks (list):
                Extra trainer callbacks (e.g. an experiment tracker).
        """
        if self.config.epsilon is not None:
            self._fit_private(data, discrete_columns, callbacks)
            return

        self.encoder.fit(data, discrete_columns, self.config.value_protection)
        matrix = self.encoder.transform(data)
        edges = self.encoder.equal_width_edges(data, CONTINUOUS_BINS)
        self._train(matrix, callbacks, bin_edges=torch.from_numpy(edges))

    def _fit_private(
        self, data: pd.DataFrame, discrete_columns: Sequence[str], callbacks: Sequence[Any]
    ) -> None:
        """Fit under differential privacy: released statistics, then DP-SGD on the critic.

        The budget: ``dp_statistics_share`` of it for the statistics (one Gaussian mechanism,
        ``data/private_statistics.py``; ``accountant.noise_for_share``), the rest for the
        critic's steps; both compose in one RDP ledger at ``delta`` less the share of it that
        the category thresholds take (a tenth, when some discrete column is not declared).
        """
        config, n_rows = self.config, len(data)
        assert config.epsilon is not None  # noqa: S101 (the caller checked)
        delta = config.delta or min(1e-5, 1 / (10 * n_rows))
        declared = config.dp_declared or {}
        thresholded = any(c in discrete_columns and c not in declared for c in data.columns)
        self.threshold_delta = delta / 10 if thresholded else 0.0
        ledger = PrivacyLedger(delta - self.threshold_delta)
        noise = noise_for_share(config.epsilon, ledger.delta, config.dp_statistics_share)
        statistics = release_statistics(
            data, discrete_columns, noise, self.threshold_delta, declared
        )
        ledger.spend(STATISTICS_PART, gaussian_rdp(noise))
        self.encoder.fit_private(data, discrete_columns, statistics)
        matrix = self.encoder.transform(statistics.replace_unreleased(data))
        counts = released_span_counts(self.encoder.fitted_layout(), statistics)
        self._train(matrix, callbacks, ledger=ledger, released_counts=counts)

    def _train(self, matrix: np.ndarray, callbacks: Sequence[Any], **engine_options: Any) -> None:
        """Build the engine on the encoded table and train it; keep its losses."""
        bin_edges = engine_options.pop('bin_edges', None)
        engine = GANEngine(
            self.config,
            self.encoder.fitted_layout(),
            torch.from_numpy(self.encoder.categories(matrix)),
            class_span=self._class_span(),
            device=self.device,
            **engine_options,
        )
        self.engine = engine
        try:
            engine.fit(torch.from_numpy(matrix), callbacks, bin_edges)
        finally:
            self.loss_values = pd.DataFrame(engine.history.records)
        if self.config.marginal_calibration:
            self._calibrate(engine, matrix)

    def _calibrate(self, engine: GANEngine, matrix: np.ndarray) -> None:
        """Learn the generator's marginals from rows drawn with the training seed.

        Within each class of ``class_column`` too (``within_class_calibration``), from the
        training rows ``matrix``; not under DP, where those rows are not to be read again.
        """
        n_rows = len(matrix)
        size = min(CALIBRATION_ROWS, max(MIN_CALIBRATION_ROWS, CALIBRATION_ROWS_PER_ROW * n_rows))
        rng = torch.Generator(engine.device).manual_seed(engine.seed)
        generated = engine.sample(size, rng=rng).numpy()
        self.encoder.calibrate(generated)
        config = self.config
        if config.within_class_calibration and config.class_column and config.epsilon is None:
            self.encoder.calibrate_within(generated, matrix, config.class_column)

    def privacy_spent(self) -> dict[str, Any]:
        """Return the (epsilon, delta) the fit spent, with each part's own epsilon.

        Returns:
            dict:
                ``{'epsilon': float, 'delta': float, 'parts': {part: {'epsilon', 'delta'}}}``.

        Raises:
            RuntimeError:
                If the model was not fitted with ``epsilon``.
        """
        ledger = self.engine.ledger if self.engine is not None else None
        if ledger is None:
            raise RuntimeError('This model was not fitted with epsilon: it spent no DP budget.')

        parts = {name: {'epsilon': e, 'delta': ledger.delta} for name, e in ledger.parts().items()}
        if self.threshold_delta:
            parts[THRESHOLD_PART] = {'epsilon': 0.0, 'delta': self.threshold_delta}
        delta = ledger.delta + self.threshold_delta
        return {'epsilon': ledger.epsilon, 'delta': delta, 'parts': parts}

    def _class_span(self) -> int | None:
        if self.config.class_column is None:
            return None

        names = [span.column for span in self.encoder.fitted_layout().discrete_spans]
        return names.index(self.config.class_column)

    def set_random_state(self, random_state: RngState) -> None:
        """Set the state that sampling draws from (SDV's contract).

        Args:
            random_state (int, tuple[np.random.RandomState, torch.Generator] or None):
                A seed, SDV's pair of states, or None for fresh entropy.
        """
        self._rng = make_rng(random_state)

    def sampling_device(self) -> torch.device:
        """Return where ``sample`` runs: the training device when at hand, else the CPU."""
        if self.device.type != 'cuda':
            return torch.device('cpu')
        if not torch.cuda.is_available():
            return torch.device('cpu')
        if self.device.index is not None and self.device.index >= torch.cuda.device_count():
            return torch.device('cuda')
        return self.device

    def _sampling_rng(self, device: torch.device) -> torch.Generator:
        """Return the sampling state on the CPU; on a GPU, a generator there seeded from it."""
        if device.type == 'cpu':
            return self._rng

        return torch.Generator(device).manual_seed(self.draw_seed())

    def draw_seed(self) -> int:
        """Draw a seed from the sampling state (and advance it), e.g. for a part's own stream."""
        return int(torch.randint(2**62, (1,), generator=self._rng))

    def condition_vector(
        self, conditions: dict[str, Any] | None
    ) -> tuple[torch.Tensor | None, dict[str, Any]]:
        """Build the condition vector for ``{column: value}`` on discrete columns.

        Conditions on other columns are left to SDV's reject sampling.

        Returns:
            tuple[torch.Tensor or None, dict]:
                The vector (None when no discrete column is conditioned) and the conditions
                applied natively.
        """
        native = {c: v for c, v in (conditions or {}).items() if c in self.encoder.discrete_columns}
        if not native:
            return None, {}

        discrete_spans = self.encoder.fitted_layout().discrete_spans
        spans = [span.column for span in discrete_spans]
        widths = [span.width for span in discrete_spans]
        offsets = np.cumsum([0, *widths[:-1]])
        vector = torch.zeros(sum(widths))
        for column, value in native.items():
            category = self.encoder.category_index(column, value)
            if category is None:
                raise ValueError(
                    f'Cannot condition on {column}={value!r}: that category never appears in '
                    f'the training data. Use one of the seen categories of {column!r}.'
                )
            vector[offsets[spans.index(column)] + category] = 1.0

        return vector, native

    def sample(self, num_rows: int, conditions: dict[str, Any] | None = None) -> pd.DataFrame:
        """Sample ``num_rows`` rows of the processed table.

        Args:
            num_rows (int):
                Number of rows.
            conditions (dict or None):
                ``{column: value}`` in the processed space; discrete columns are conditioned
                natively and hold exactly the requested value.

        Returns:
            pandas.DataFrame:
                The sampled rows.
        """
        if self.engine is None:
            raise RuntimeError('GANModel is not fitted: call fit() first.')

        vector, native = self.condition_vector(conditions)
        device = self.sampling_device()
        self.engine.to(device)
        matrix = self.engine.sample(num_rows, vector, self._sampling_rng(device)).numpy()
        sampled = self.encoder.inverse_transform(matrix, self._stratifying_rng(vector))
        for column, value in native.items():
            sampled[column] = pd.Series([value] * len(sampled), dtype=sampled[column].dtype)

        return sampled

    def _stratifying_rng(self, vector: torch.Tensor | None) -> np.random.Generator | None:
        """Return the source that stratifies a sample's numbers (``stratified_numbers``).

        None, and no draw from the sampling state, when they are not stratified: the option is
        off, the numbers are not calibrated, or a discrete column is conditioned (its rows
        follow the conditional distribution, not the table's).
        """
        config = self.config
        if not (config.stratified_numbers and config.marginal_calibration) or vector is not None:
            return None

        return np.random.default_rng(self.draw_seed())

    def __getstate__(self) -> dict[str, Any]:
        """Pickle with the engine on the CPU, so the file loads on machines without a GPU."""
        if self.engine is not None:
            self.engine.to('cpu')

        return self.__dict__.copy()

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Load a pickled model; files saved by 0.1.0 name the sampling source ``_random``."""
        if '_random' in state:
            state['_rng'] = state.pop('_random')

        self.__dict__.update(state)
