"""What both SDV synthesizers share: argument storage and checks, fit, native conditions."""

import inspect
import numbers
import os
from copy import deepcopy

import numpy as np
import plotly.express as px
import torch
from sdv.errors import InvalidDataError, NotFittedError, SynthesizerInputError
from sdv.single_table.base import BaseSingleTableSynthesizer
from sdv.single_table.ctgan import LossValuesMixin, _validate_no_category_dtype
from sdv.single_table.utils import detect_discrete_columns

from sdv_attncorr.core.losses.adversarial import ADVERSARIAL_LOSSES
from sdv_attncorr.core.losses.metafeatures import META_FEATURES
from sdv_attncorr.core.losses.wasserstein import WASSERSTEIN_METHODS
from sdv_attncorr.core.training.config import GENERATORS, GANConfig
from sdv_attncorr.models.gan_model import GANModel
from sdv_attncorr.synthesizers.streaming import DEFAULT_BATCH_ROWS, sample_to_file
from sdv_attncorr.tracking import AimTracker, require_aim

SDV_BASE_ARGUMENTS = ('metadata', 'enforce_min_max_values', 'enforce_rounding', 'locales')
DISCRETE_SDTYPES = ('categorical', 'boolean', 'ordinal')
MAX_CATEGORIES = 1000
MISSING_PASSED_THROUGH = ('numerical', 'datetime')
POSITIVE_INTEGERS = ('epochs', 'batch_size', 'min_steps_per_epoch', 'embedding_dim',
                     'attention_dim', 'attention_heads', 'attention_blocks', 'critic_steps', 'pac',
                     'mfs_subsamples', 'mfs_subsample_size', 'mfs_interval')  # fmt: skip
POSITIVE_NUMBERS = ('generator_lr', 'critic_lr')
NON_NEGATIVE_NUMBERS = ('generator_decay', 'critic_decay', 'gradient_penalty_weight',
                        'correlation_weight', 'classwise_weight', 'energy_weight',
                        'critic_dropout', 'mfs_weight')  # fmt: skip


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value


def _validate_finite(processed_data):
    numeric = processed_data.select_dtypes('number')
    infinite = [column for column in numeric if np.isinf(numeric[column]).any()]
    if infinite:
        raise InvalidDataError(
            [
                f'Column {column!r} holds infinite values: replace them with NaN (missing) or a '
                'finite number before fitting.'
                for column in infinite
            ]
        )


def _validate_category_counts(processed_data, discrete_columns):
    for column in discrete_columns:
        count = processed_data[column].nunique(dropna=False)
        if count > MAX_CATEGORIES:
            raise SynthesizerInputError(
                f'Column {column!r} has {count} categories, more than the {MAX_CATEGORIES} a '
                'one-hot GAN can model within bounded memory. Encode it as a number first: '
                f"synthesizer.update_transformers({{'{column}': UniformEncoder()}}) "
                '(from rdt.transformers import UniformEncoder), or set its sdtype to id or PII '
                'if its values need not follow the data.'
            )


class GANSynthesizerBase(LossValuesMixin, BaseSingleTableSynthesizer):
    """Shared machinery of the sdv-attncorr synthesizers (not used directly).

    Subclasses declare every hyperparameter, with its default, in a flat ``__init__``
    signature and call ``self._store_arguments(locals())`` after ``super().__init__``.
    """

    _model_sdtype_transformers = {'categorical': None, 'boolean': None, 'ordinal': None}
    _model = None
    aim_run_hash = None
    # Synthesizers pickled before these arguments existed refit as they were trained then.
    aim_repo = None
    mfs_interval = 1
    energy_weight = 0.0

    def _store_arguments(self, arguments):
        """Store each ``__init__`` argument under its own name, then check them all."""
        parameters = inspect.signature(type(self).__init__).parameters
        for name in parameters:
            if name not in ('self', *SDV_BASE_ARGUMENTS):
                setattr(self, name, arguments[name])

        self._validate_arguments()

    def _validate_arguments(self):
        for name in POSITIVE_INTEGERS:
            value = getattr(self, name)
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise SynthesizerInputError(f'{name} must be a positive integer, got {value!r}.')
        for name in POSITIVE_NUMBERS:
            value = getattr(self, name)
            if not _is_number(value) or value <= 0:
                raise SynthesizerInputError(f'{name} must be a positive number, got {value!r}.')
        for name in NON_NEGATIVE_NUMBERS:
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                raise SynthesizerInputError(f'{name} must be a number >= 0, got {value!r}.')

        self._validate_choices()

    def _validate_choices(self):
        if self.batch_size % self.pac:
            suggestion = self.batch_size // self.pac * self.pac or self.pac
            raise SynthesizerInputError(
                f'batch_size must be a multiple of pac, got batch_size={self.batch_size} and '
                f'pac={self.pac}: use e.g. batch_size={suggestion}.'
            )
        if self.generator not in GENERATORS:
            raise SynthesizerInputError(
                f'generator must be one of {GENERATORS}, got {self.generator!r}.'
            )
        if self.adversarial_loss not in ADVERSARIAL_LOSSES:
            raise SynthesizerInputError(
                f'adversarial_loss must be one of {tuple(ADVERSARIAL_LOSSES)}, '
                f'got {self.adversarial_loss!r}.'
            )
        if self.attention_dim % self.attention_heads:
            raise SynthesizerInputError(
                f'attention_dim must be a multiple of attention_heads, got '
                f'attention_dim={self.attention_dim}, attention_heads={self.attention_heads}.'
            )
        if self.critic_dropout >= 1:
            raise SynthesizerInputError(
                f'critic_dropout must be below 1, got {self.critic_dropout!r}.'
            )
        self._validate_class_column()
        self._validate_mfs()
        self._validate_tracking()

    def _validate_tracking(self):
        if self.aim_repo is None:
            return
        if not isinstance(self.aim_repo, (str, os.PathLike)):
            raise SynthesizerInputError(
                f'aim_repo must be a folder path or None, got {self.aim_repo!r}.'
            )
        require_aim()

    def _validate_mfs(self):
        if self.mfs_distance not in WASSERSTEIN_METHODS:
            raise SynthesizerInputError(
                f'mfs_distance must be one of {WASSERSTEIN_METHODS}, got {self.mfs_distance!r}.'
            )
        if self.mfs_subsample_size < 2:
            raise SynthesizerInputError(
                f'mfs_subsample_size must be at least 2 rows, got {self.mfs_subsample_size!r}.'
            )
        unknown = [name for name in self.mfs_features or () if name not in META_FEATURES]
        if isinstance(self.mfs_features, str) or unknown:
            raise SynthesizerInputError(
                f'Unknown meta-feature(s) in mfs_features: {unknown or self.mfs_features!r}. '
                f'Give a list of names from {META_FEATURES}, or None for the default set.'
            )

    def _discrete_metadata_columns(self):
        columns = self.metadata._convert_to_single_table().columns
        return [name for name, info in columns.items() if info['sdtype'] in DISCRETE_SDTYPES]

    def _validate_class_column(self):
        if self.class_column is None:
            return

        valid = self._discrete_metadata_columns()
        if self.class_column not in valid:
            raise SynthesizerInputError(
                f'class_column {self.class_column!r} is not a discrete column of the metadata. '
                f'Choose one of {valid} (sdtype categorical, boolean or ordinal), or None.'
            )

    def _update_default_transformers(self):
        """Keep discrete sdtypes for the model; pass missing numbers and datetimes through.

        SDV's defaults replace a missing number or datetime by the column's mean and put
        missing values back at random when sampling: the mean becomes a spike that the
        generator copies into observed rows, and missingness loses its link to the other
        columns (a salary is missing *because* the student was not placed). Ours leave the
        values missing; the encoder models each such column's missingness as a discrete span.
        """
        super()._update_default_transformers()
        processor = self._data_processor
        for sdtype in MISSING_PASSED_THROUGH:
            transformer = deepcopy(processor._transformers_by_sdtype.get(sdtype))
            if not hasattr(transformer, 'missing_value_replacement'):
                continue

            transformer.missing_value_replacement = None
            transformer.missing_value_generation = None
            processor._update_transformers_by_sdtypes(sdtype, transformer)

    def add_constraints(self, constraints):
        """Add constraints, keeping discrete columns discrete (SDV forgets that on rebuild).

        Args:
            constraints (list):
                The constraints to apply (see ``sdv.cag``).
        """
        super().add_constraints(constraints)
        self._update_default_transformers()

    def _fit(self, processed_data):
        """Fit the model to the processed table.

        Args:
            processed_data (pandas.DataFrame):
                Data to learn.
        """
        _validate_no_category_dtype(processed_data)
        _validate_finite(processed_data)
        transformers = self._data_processor._hyper_transformer.field_transformers
        discrete_columns = detect_discrete_columns(self.metadata, processed_data, transformers)
        _validate_category_counts(processed_data, discrete_columns)
        if self.class_column is not None and self.class_column not in discrete_columns:
            raise SynthesizerInputError(
                f'class_column {self.class_column!r} is not discrete after preprocessing: its '
                "transformer must be None (update_transformers({'"
                f"{self.class_column}': None}})) or the column must be in the data."
            )

        use_gpu = self.enable_gpu and torch.cuda.is_available()
        self._model = GANModel(
            GANConfig.from_object(self),
            class_column=self.class_column,
            device='cuda' if use_gpu else 'cpu',
        )
        if self.aim_repo is None:
            self._model.fit(processed_data, discrete_columns)
            return

        tracker = AimTracker(self.aim_repo, hparams=self.get_parameters())
        try:
            self._model.fit(processed_data, discrete_columns, [tracker])
        finally:
            self.aim_run_hash = tracker.run_hash

    def _validate_conditions(self, conditions):
        super()._validate_conditions(conditions)
        for frame in conditions:
            self._validate_condition_categories(frame)

    def _validate_known_columns(self, known_columns):
        super()._validate_known_columns(known_columns)
        self._validate_condition_categories(known_columns)

    def _validate_condition_categories(self, frame):
        """Refuse, before sampling starts, a condition on a category never seen in ``fit``."""
        encoder = self._model.encoder if self._model is not None else None
        for column in frame.columns:
            if encoder is None or column not in encoder.discrete_columns:
                continue
            for value in frame[column].unique():
                if encoder.category_index(column, value) is None:
                    categories = sorted(encoder.categories_of(column), key=str)
                    seen = ', '.join(repr(c) for c in categories[:20])
                    raise ValueError(
                        f'Cannot condition on {column}={value!r}: that category never appears '
                        f'in the training data. Seen categories: {seen}.'
                    )

    def _sample(self, num_rows, conditions=None):
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
        return self._model.sample(num_rows, conditions)

    def sample(self, num_rows, *args, **kwargs):
        """Sample rows (see ``BaseSingleTableSynthesizer.sample``); refuse a negative count."""
        if isinstance(num_rows, bool) or not isinstance(num_rows, numbers.Integral):
            raise SynthesizerInputError(f'num_rows must be an integer, got {num_rows!r}.')
        if num_rows < 0:
            raise SynthesizerInputError(f'num_rows must be 0 or more, got {num_rows}.')

        return super().sample(num_rows, *args, **kwargs)

    def sample_to_file(self, num_rows, filepath, batch_size=DEFAULT_BATCH_ROWS, overwrite=False):
        """Sample rows straight into a CSV or Parquet file, at constant memory.

        SDV's ``sample(..., output_folder_path=...)`` still gathers every row in memory; this
        writes each batch as soon as it is sampled and keeps none of them.

        Args:
            num_rows (int):
                Number of rows to write.
            filepath (str or pathlib.Path):
                A ``.csv`` or ``.parquet`` file that does not exist yet.
            batch_size (int):
                Rows sampled and written at a time. Defaults to 10,000.
            overwrite (bool):
                Replace an existing file. Defaults to ``False``.

        Returns:
            pathlib.Path:
                The written file.
        """
        self._validate_fit_before_sample()
        return sample_to_file(self, num_rows, filepath, batch_size, overwrite)

    def get_loss_values_plot(self, title=None):
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

        losses = self._model.loss_values
        columns = [column for column in losses.columns if column != 'Epoch']
        figure = px.line(losses, x='Epoch', y=columns)
        figure.update_layout(
            title=title or f'{type(self).__name__} losses',
            xaxis_title='Epoch',
            yaxis_title='Loss',
            template='plotly_white',
            legend_title_text='',
        )
        return figure
