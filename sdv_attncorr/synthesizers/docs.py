"""Argument documentation shared by the synthesizers (one declaration, two classes)."""

SHARED_ARGUMENTS_DOC = """
        metadata (sdv.metadata.Metadata):
            Metadata of the table this synthesizer is used for.
        enforce_min_max_values (bool):
            Clip sampled numbers to the range seen in ``fit``. Defaults to ``True``.
        enforce_rounding (bool):
            Round sampled numbers as in the data. Defaults to ``True``.
        locales (list or str):
            Locales of the fake PII values. Defaults to ``['en_US']``.
        epochs (int):
            Training epochs; an epoch is ``n_rows // batch_size`` generator steps.
        batch_size (int):
            Largest number of rows per training step, a multiple of ``pac``.
        min_steps_per_epoch (int):
            Quality follows optimizer steps, so smaller tables train on smaller batches: the
            batch is ``min(batch_size, max(50, n_rows // min_steps_per_epoch))`` rounded down
            to ``pac`` (never more rows than the table). With the defaults, a table of 5,000
            rows or fewer gets about 3,000 steps in 300 epochs. Set 1 for CTGAN's schedule.
        generator (str):
            Generator body: ``'attention'`` (columns as tokens with multi-head self-attention
            across them) or ``'mlp'`` (residual MLP).
        embedding_dim (int):
            Width of the noise vector.
        generator_dim (tuple[int]):
            Widths of the residual blocks of the ``'mlp'`` generator.
        attention_dim (int):
            Width of a column token of the ``'attention'`` generator.
        attention_heads (int):
            Attention heads; must divide ``attention_dim``.
        attention_blocks (int):
            Transformer blocks of the ``'attention'`` generator.
        critic_dim (tuple[int]):
            Widths of the critic's hidden layers.
        critic_dropout (float):
            Dropout after each hidden layer of the critic.
        generator_lr (float):
            Adam learning rate of the generator.
        generator_decay (float):
            Adam weight decay of the generator.
        critic_lr (float):
            Adam learning rate of the critic.
        critic_decay (float):
            Adam weight decay of the critic.
        critic_steps (int):
            Critic updates per generator update.
        pac (int):
            Rows the critic scores together (PacGAN).
        adversarial_loss (str):
            ``'wgan-gp'`` (Wasserstein with gradient penalty) or ``'bce'`` (non-saturating).
        gradient_penalty_weight (float):
            Weight of the gradient penalty (``'wgan-gp'`` only).
        log_frequency (bool):
            Draw training conditions at the log-frequency of each category (as CTGAN).
        correlation_weight (float):
            Weight of the correlation loss (0 turns it off).
        class_column (str or None):
            Discrete column whose classes the class-wise losses compare.
        classwise_weight (float):
            Weight of the class-wise correlation loss (needs ``class_column``; 0 turns it off).
        energy_weight (float):
            Weight of the energy loss: the energy distance between generated and real rows
            within each class of ``class_column`` (over the whole table without one); it
            matches whole class-conditional distributions, not only their correlations
            (0 turns it off).
        mfs_weight (float):
            Weight of the meta-feature-statistics loss (0 turns it off and skips its cost).
        mfs_features (list[str] or None):
            Meta-features of the MFS loss (pymfe's statistical group, computed on the numeric
            columns), from ``sdv_attncorr.core.losses.metafeatures.META_FEATURES``; None for all but
            ``cor`` and ``cov``, which pymfe defines as absolute values (blind to the sign of a
            correlation, they let the generator flip it).
        mfs_subsamples (int):
            K, the most groups of rows compared per step on each side; lowered to what fits
            in the (table-adapted) batch: ``min(K, batch // m)``.
        mfs_subsample_size (int):
            m, the rows per group (equal for real and generated groups); capped at the batch,
            with a warning.
        mfs_distance (str):
            Wasserstein distance between the K meta-feature vectors of each side: ``'exact'``
            (optimal transport), ``'sliced'``, ``'per_component'`` (1-D per component) or
            ``'auto'`` (exact up to 64 groups).
        mfs_interval (int):
            Compute the MFS loss every ``mfs_interval``-th generator step only, with its weight
            multiplied by as much (lazy regularisation, as StyleGAN2's): the same expected
            gradient at a fraction of the cost. 1 computes it at every step.
        enable_gpu (bool):
            Train on a GPU when one is available. Defaults to ``True``.
        verbose (bool):
            Show a progress bar with the losses. Defaults to ``False``.
        aim_repo (str or None):
            An Aim repository folder to log each fit to (hyperparameters; per epoch every loss,
            the generator's and critic's gradient norms and each meta-feature's MFS distance);
            the run's hash is left in ``aim_run_hash``. Needs
            ``pip install 'sdv-attncorr[aim]'``. Defaults to ``None`` (no tracking)."""
