"""How our synthesizers change SDV's default preprocessing."""

from __future__ import annotations

from copy import deepcopy

from sdv.single_table.base import BaseSingleTableSynthesizer

MISSING_PASSED_THROUGH = ('numerical', 'datetime')


class ModelTransformersMixin(BaseSingleTableSynthesizer):
    """Discrete sdtypes reach the model raw; missing numbers and datetimes reach it missing."""

    _model_sdtype_transformers = {'categorical': None, 'boolean': None, 'ordinal': None}

    def _update_default_transformers(self) -> None:
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

    def add_constraints(self, constraints: list) -> None:
        """Add constraints, keeping discrete columns discrete (SDV forgets that on rebuild).

        Args:
            constraints (list):
                The constraints to apply (see ``sdv.cag``).
        """
        super().add_constraints(constraints)
        self._update_default_transformers()
