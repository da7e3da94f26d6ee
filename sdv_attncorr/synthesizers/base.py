"""What both SDV synthesizers share: arguments from the hyperparameter table, fit, sampling."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pandas as pd
import torch
from plotly.graph_objects import Figure
from sdv.errors import NotFittedError, SynthesizerInputError
from sdv.metadata import Metadata
from sdv.single_table.base import FIXED_RNG_SEED
from sdv.single_table.ctgan import LossValuesMixin, _validate_no_category_dtype
from sdv.single_table.utils import detect_discrete_columns
from sdv.utils import load_synthesizer

from sdv_attncorr.core.training.config import GANConfig, HyperparameterError
from sdv_attncorr.core.training.distributed import launched_device, launched_shard
from sdv_attncorr.data.encoder import TableEncoder
from sdv_attncorr.models.gan_model import GANModel
from sdv_attncorr.synthesizers import validation
from sdv_attncorr.synthesizers.plots import loss_values_plot
from sdv_attncorr.synthesizers.rounding import drop_rounding_beyond_precision
from sdv_attncorr.synthesizers.signature import (
    SDV_DEFAULT_LOCALES,
    arguments_doc,
    make_init,
    synthesizer_signature,
)
from sdv_attncorr.synthesizers.streaming import DEFAULT_BATCH_ROWS, sample_to_file
from sdv_attncorr.synthesizers.transformers import ModelTransformersMixin
from sdv_attncorr.tracking import AimTracker, require_aim

DISCRETE_SDTYPES = ('categorical', 'boolean', 'ordinal')
Synthesizer = TypeVar('Synthesizer', bound='GANSynthesizerBase')


class GANSynthesizerBase(LossValuesMixin, ModelTransformersMixin):
    """Shared machinery of the sdv-attncorr synthesizers (not used directly).

    A subclass is a preset: ``preset`` holds the defaults it changes in the hyperparameter
    table (``GANConfig``). Its ``__init__`` signature (every argument, as SDV's
    ``get_parameters`` reads it) and the Args section of its docstring are derived from the
    table when the class is defined; each argument is stored under its own name.
    """

    preset: ClassVar[dict[str, Any]] = {}
    defaults: ClassVar[GANConfig] = GANConfig()
    _model: GANModel | None = None
    aim_run_hash: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.defaults = GANConfig().replace(**cls.preset)
        cls.__init__ = make_init(synthesizer_signature(cls.defaults), GANSynthesizerBase.__init__)  # type: ignore[method-assign]
        summary = (cls.__doc__ or '').rstrip()
        cls.__doc__ = f'{summary}\n\n    Args:\n{arguments_doc(cls.defaults)}\n    '

    def __init__(
        self,
        metadata: Metadata,
        enforce_min_max_values: bool = True,
        enforce_rounding: bool = True,
        locales: list[str] | str = SDV_DEFAULT_LOCALES,
        **hyperparameters: Any,
    ) -> None:
        # Under DP, SDV's formatters may not learn each column's min, max and decimals from
        # the rows (unprotected): both are off, so get_parameters() shows what runs.
        private = hyperparameters.get('epsilon') is not None
        super().__init__(
            metadata=metadata,
            enforce_min_max_values=enforce_min_max_values and not private,
            enforce_rounding=enforce_rounding and not private,
            locales=locales,
        )
        self.__dict__.update(hyperparameters)
        self.config  # noqa: B018 (builds the config: refuses a bad value now, not at fit)
        discrete = self._discrete_metadata_columns()
        validation.validate_class_column(self.class_column, discrete)
        if self.aim_repo is not None:
            require_aim()

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Load a pickled synthesizer; an earlier release's arguments are brought up to date."""
        self.__dict__.update(GANConfig.upgraded(state))

    @classmethod
    def load(cls: type[Synthesizer], filepath: str | Path) -> Synthesizer:
        """Load a synthesizer of this class saved with ``save()`` (through SDV's loader).

        Unpickling runs code from the file: load only files you trust.

        Args:
            filepath (str or pathlib.Path):
                The saved file.

        Returns:
            The synthesizer.

        Raises:
            FileNotFoundError:
                If there is no such file.
            SynthesizerInputError:
                If the file is not a saved synthesizer of this class (not a pickle, another
                object, or another synthesizer class).
        """
        path = Path(filepath)
        try:
            synthesizer = load_synthesizer(str(path))
        except FileNotFoundError:
            raise
        except Exception as error:
            raise SynthesizerInputError(
                f'{path} is not a saved sdv-attncorr synthesizer: loading it failed with '
                f'{type(error).__name__}: {error}. Load files written by synthesizer.save().'
            ) from error
        if not isinstance(synthesizer, cls):
            raise SynthesizerInputError(
                f'{path} is not a saved sdv-attncorr synthesizer of class {cls.__name__}: it '
                f'holds a {type(synthesizer).__name__}. Use sdv.utils.load_synthesizer for '
                'other classes.'
            )

        return synthesizer

    @property
    def config(self) -> GANConfig:
        """GANConfig: The hyperparameters, from the arguments stored under their own names."""
        try:
            return GANConfig(**{name: self.__dict__[name] for name in GANConfig.field_names()})
        except HyperparameterError as error:
            raise SynthesizerInputError(str(error)) from None

    def _discrete_metadata_columns(self) -> list[str]:
        columns = self.metadata._convert_to_single_table().columns
        return [name for name, info in columns.items() if info['sdtype'] in DISCRETE_SDTYPES]

    def _preprocess(self, table_data: pd.DataFrame) -> pd.DataFrame:
        """Fit SDV's data processor (``rounding.py``: no rounding that only moves bits).

        Under DP the metadata's rounding stays: deciding reads the rows, without noise.
        """
        processed = super()._preprocess(table_data)
        if self.epsilon is None:
            drop_rounding_beyond_precision(self._data_processor.formatters, table_data)
        return processed

    def _fit(self, processed_data: pd.DataFrame) -> None:
        """Fit the model to the processed table.

        Args:
            processed_data (pandas.DataFrame):
                Data to learn.
        """
        _validate_no_category_dtype(processed_data)
        validation.validate_finite(processed_data)
        transformers = self._data_processor._hyper_transformer.field_transformers
        discrete_columns = detect_discrete_columns(self.metadata, processed_data, transformers)
        validation.validate_category_counts(processed_data, discrete_columns)
        validation.validate_class_column_processed(self.class_column, discrete_columns)

        config = self.config
        # Under torchrun each process trains on its own GPU (LOCAL_RANK).
        device = (
            launched_device('cuda') if config.enable_gpu and torch.cuda.is_available() else 'cpu'
        )
        self._model = GANModel(config, device=device)
        # Under torchrun the processes train one model: only the first one records it.
        if config.aim_repo is None or launched_shard().rank != 0:
            self._model.fit(processed_data, discrete_columns)
            return

        tracker = AimTracker(config.aim_repo, hparams=self.get_parameters())
        try:
            self._model.fit(processed_data, discrete_columns, [tracker])
        finally:
            self.aim_run_hash = tracker.run_hash

    def add_constraints(self, constraints: list) -> None:
        """Add constraints (see ``sdv.cag``); refused under differential privacy.

        Args:
            constraints (list):
                The constraints to apply.

        Raises:
            SynthesizerInputError:
                With ``epsilon`` set: constraints learn from the rows without noise.
        """
        if self.epsilon is not None:
            raise SynthesizerInputError(
                'Constraints are not supported with epsilon (differential privacy): SDV fits '
                'them on the real rows without noise. Remove epsilon or the constraints.'
            )
        super().add_constraints(constraints)

    def privacy_spent(self) -> dict[str, Any]:
        """Return the differential privacy the fit spent on the training rows.

        Returns:
            dict:
                ``{'epsilon': float, 'delta': float, 'parts': {part: {'epsilon': float,
                'delta': float}}}``: the total (epsilon, delta) of the fit and, for each part
                that read the rows (the released statistics, the critic's DP-SGD steps, the
                category thresholds), its own cost. Under the ``epsilon`` asked for; below it
                when training stopped early (a time budget, an interruption).

        Raises:
            NotFittedError:
                Before ``fit``.
            SynthesizerInputError:
                If the synthesizer was fitted without ``epsilon``.
        """
        model = self._fitted_model()
        try:
            return model.privacy_spent()
        except RuntimeError as error:  # the model's refusal: no epsilon at fit
            raise SynthesizerInputError(
                'This synthesizer was fitted without epsilon: it gives no privacy guarantee. '
                'Fit it with epsilon=... for one.'
            ) from error

    def _validate_conditions(self, conditions: list[pd.DataFrame]) -> None:
        super()._validate_conditions(conditions)
        for frame in conditions:
            self._validate_condition_values(frame)

    def _validate_known_columns(self, known_columns: pd.DataFrame) -> None:
        super()._validate_known_columns(known_columns)
        self._validate_condition_values(known_columns)

    def _validate_condition_values(self, frame: pd.DataFrame) -> None:
        """Refuse unseen categories and numbers outside what sampling draws."""
        encoder = self._encoder()
        validation.validate_condition_categories(frame, encoder)
        if encoder is None:
            return
        try:
            processed = self._transform_conditions(frame)
        except Exception:  # SDV reports a condition it cannot transform when sampling
            return
        validation.validate_condition_ranges(frame, processed, encoder)

    def _encoder(self) -> TableEncoder | None:
        return self._model.encoder if self._model is not None else None

    def _fitted_model(self) -> GANModel:
        if self._model is None:
            raise NotFittedError('This synthesizer has not been fitted: call fit() first.')

        return self._model

    def _sample(self, num_rows: int, conditions: dict | None = None) -> pd.DataFrame:
        """Sample rows; conditions on discrete columns are met natively, with exact counts.

        Args:
            num_rows (int):
                Number of rows to sample.
            conditions (dict or None):
                ``{column: value}`` in the processed space. Conditions on continuous columns
                are left to SDV's reject sampling.

        Returns:
            pandas.DataFrame:
                Sampled data.
        """
        return self._fitted_model().sample(num_rows, conditions)

    def sample(self, num_rows: int, *args: Any, **kwargs: Any) -> dict[str, pd.DataFrame]:
        """Sample rows (see ``BaseSingleTableSynthesizer.sample``); refuse a negative count."""
        if isinstance(num_rows, bool) or not isinstance(num_rows, numbers.Integral):
            raise SynthesizerInputError(f'num_rows must be an integer, got {num_rows!r}.')
        if num_rows < 0:
            raise SynthesizerInputError(f'num_rows must be 0 or more, got {num_rows}.')

        return super().sample(num_rows, *args, **kwargs)

    def sample_to_file(
        self,
        num_rows: int,
        filepath: str | Path,
        batch_size: int = DEFAULT_BATCH_ROWS,
        overwrite: bool = False,
    ) -> Path:
        """Sample rows straight into a CSV or Parquet file or a Parquet dataset, at constant memory.

        SDV's ``sample(..., output_folder_path=...)`` still gathers every row in memory; this
        writes each batch as soon as it is sampled and keeps none of them.

        A path with no suffix is a Parquet dataset folder (read it with
        ``pandas.read_parquet(folder)``). Under ``torchrun`` each process writes its own part,
        ``part-<rank>-of-<processes>.parquet``, with an exact share of ``num_rows`` (the parts
        sum to it) drawn from its own random stream, derived from the sampling state and the
        rank; in one process the folder holds one part, with the rows a single file would.
        Columns SDV generates rather than learns (keys, IDs, PII) restart in each part: they
        are unique within a part, not across parts.

        Args:
            num_rows (int):
                Number of rows to write (over all processes).
            filepath (str or pathlib.Path):
                A ``.csv`` or ``.parquet`` file that does not exist yet, or a folder (no
                suffix) that is new, empty or holds only a dataset's parts.
            batch_size (int):
                Rows sampled and written at a time. Defaults to 10,000.
            overwrite (bool):
                Replace an existing file. Defaults to ``False``.

        Returns:
            pathlib.Path:
                The written file or folder.
        """
        self._validate_fit_before_sample()
        return sample_to_file(self, num_rows, filepath, batch_size, overwrite)

    def _draw_sampling_seed(self) -> int:
        """Draw a seed from the sampling state, which starts at SDV's fixed seed after ``fit``."""
        if not self._random_state_set:
            self._set_random_state(FIXED_RNG_SEED)

        return self._fitted_model().draw_seed()

    def get_loss_values_plot(self, title: str | None = None) -> Figure:
        """Plot every loss column per epoch: generator, critic and each regulariser.

        Args:
            title (str or None):
                Title of the figure; the synthesizer's name when None.

        Returns:
            plotly.graph_objects.Figure:
                The figure.
        """
        if not self._fitted:
            raise NotFittedError(
                'Loss values are not available yet. Please fit your synthesizer first.'
            )

        losses = self._fitted_model().loss_values
        return loss_values_plot(losses, title or f'{type(self).__name__} losses')
