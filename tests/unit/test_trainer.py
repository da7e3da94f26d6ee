"""Training stops cleanly: NaN losses raise a clear error, Ctrl-C keeps the epochs done."""

import math

import pytest
import torch

from sdv_attncorr.core.training.callbacks import NaNGuard, TrainingDivergedError
from sdv_attncorr.core.training.trainer import Trainer, adam
from tests.conftest import FAST, TABLE


def test_nan_guard_names_the_epoch_and_the_fix():
    record = {'Epoch': 7, 'Generator Loss': math.nan, 'Discriminator Loss': 0.1}

    with pytest.raises(TrainingDivergedError, match='epoch 7.*Generator Loss.*lower generator_lr'):
        NaNGuard().on_epoch_end(None, record)


def test_keyboard_interrupt_keeps_a_usable_model(monkeypatch, mixed_table, mixed_metadata):
    from sdv_attncorr import AttnCorrGANSynthesizer

    original = Trainer.run_epoch

    def interrupted(self, epoch):
        if epoch == 2:
            raise KeyboardInterrupt
        return original(self, epoch)

    monkeypatch.setattr(Trainer, 'run_epoch', interrupted)
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **{**FAST, 'epochs': 5})
    with pytest.warns(UserWarning, match='interrupted'):
        synthesizer.fit({TABLE: mixed_table})

    assert list(synthesizer.get_loss_values()['Epoch']) == [0, 1]
    assert len(synthesizer.sample(10)[TABLE]) == 10


class GradientRecorder:
    tracks_gradients = True

    def __init__(self):
        self.norms = []

    def on_epoch_end(self, trainer, record):
        self.norms.append(dict(trainer.gradient_norms))


def test_gradient_norms_are_measured_for_a_tracker_and_kept_out_of_the_losses(
    monkeypatch, mixed_table, mixed_metadata
):
    from sdv_attncorr import AttnCorrGANSynthesizer

    recorder = GradientRecorder()
    original = Trainer.__init__

    def with_recorder(self, **kwargs):
        original(self, **{**kwargs, 'callbacks': [*kwargs['callbacks'], recorder]})

    monkeypatch.setattr(Trainer, '__init__', with_recorder)
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **{**FAST, 'epochs': 2})
    synthesizer.fit({TABLE: mixed_table})

    expected = {'Generator Gradient Norm', 'Critic Gradient Norm'}
    assert [set(norms) for norms in recorder.norms] == [expected, expected]
    assert all(math.isfinite(v) and v > 0 for norms in recorder.norms for v in norms.values())
    assert not any('Gradient Norm' in column for column in synthesizer.get_loss_values())


def test_adam_is_fused_on_the_cpu_and_steps_as_the_foreach_one():
    torch.manual_seed(0)
    fused_module, plain_module = torch.nn.Linear(3, 2), torch.nn.Linear(3, 2)
    plain_module.load_state_dict(fused_module.state_dict())
    fused = adam(fused_module, 1e-2, 1e-6)
    plain = torch.optim.Adam(
        plain_module.parameters(), lr=1e-2, betas=(0.5, 0.9), weight_decay=1e-6, foreach=True
    )
    assert fused.defaults['fused'] is True
    for _ in range(3):
        for module, optimizer in ((fused_module, fused), (plain_module, plain)):
            optimizer.zero_grad()
            module(torch.ones(4, 3)).square().sum().backward()
            optimizer.step()
    for mine, theirs in zip(fused_module.parameters(), plain_module.parameters()):
        torch.testing.assert_close(mine, theirs)


def record_steps(monkeypatch):
    """Record each generator run (whether it tracks gradients) and each critic update's rows."""
    calls = {'generate': [], 'critic': [], 'generator': []}
    generate, critic_update = Trainer.generate, Trainer._critic_update
    generator_update = Trainer._generator_update

    def recorded_generate(self, condition, **kwargs):
        calls['generate'].append(torch.is_grad_enabled())
        return generate(self, condition, **kwargs)

    def recorded_critic_update(self, real, fake):
        calls['critic'].append((real, fake))
        return critic_update(self, real, fake)

    def recorded_generator_update(self, batch, rows):
        calls['generator'].append(rows.detach().clone())
        return generator_update(self, batch, rows)

    monkeypatch.setattr(Trainer, 'generate', recorded_generate)
    monkeypatch.setattr(Trainer, '_critic_update', recorded_critic_update)
    monkeypatch.setattr(Trainer, '_generator_update', recorded_generator_update)
    return calls


def test_a_shared_batch_runs_the_generator_once_and_the_critic_scores_its_rows(
    monkeypatch, mixed_table, mixed_metadata
):
    from sdv_attncorr import AttnCorrGANSynthesizer

    calls = record_steps(monkeypatch)
    options = {**FAST, 'epochs': 2, 'early_stopping': False, 'marginal_calibration': False}
    AttnCorrGANSynthesizer(mixed_metadata, shared_batch=True, **options).fit({TABLE: mixed_table})

    steps = len(calls['generator'])
    assert steps > 1
    assert calls['generate'] == [True] * steps
    for (real, fake), rows in zip(calls['critic'], calls['generator']):
        assert not fake.requires_grad
        assert torch.equal(fake, rows)
        assert real.shape == fake.shape

    calls = record_steps(monkeypatch)
    AttnCorrGANSynthesizer(mixed_metadata, shared_batch=False, **options).fit({TABLE: mixed_table})
    assert calls['generate'] == [False, True] * steps
    pairs = zip(calls['critic'], calls['generator'])
    assert not any(torch.equal(fake, rows) for (_, fake), rows in pairs)


@pytest.mark.parametrize('shared_batch', [True, False])
def test_teacher_rows_hold_the_batchs_conditions_and_only_then_the_decoder_learns_faster(
    monkeypatch, mixed_table, mixed_metadata, shared_batch
):
    from sdv_attncorr import AttnCorrGANSynthesizer
    from sdv_attncorr.core.sampling import condition_blocks
    from sdv_attncorr.core.training import trainer as trainer_module

    taught, multipliers = [], []
    generate, make_adam = Trainer.generate, trainer_module.adam

    def recorded_generate(self, condition, **kwargs):
        if kwargs.get('teacher') is not None:
            taught.append((condition, kwargs['teacher']))
        return generate(self, condition, **kwargs)

    def recorded_adam(module, lr, weight_decay, **kwargs):
        multipliers.append(kwargs.get('multiplier', 1.0))
        return make_adam(module, lr, weight_decay, **kwargs)

    monkeypatch.setattr(Trainer, 'generate', recorded_generate)
    monkeypatch.setattr(trainer_module, 'adam', recorded_adam)
    options = {**FAST, 'epochs': 2, 'early_stopping': False, 'shared_batch': shared_batch}
    synthesizer = AttnCorrGANSynthesizer(mixed_metadata, **options)
    synthesizer.fit({TABLE: mixed_table})

    assert len(taught) > 1 and multipliers == [4.0, 1.0]  # the generator's, the critic's
    layout = synthesizer._model.engine.layout
    for condition, teacher in taught:
        for index, (offset, width) in condition_blocks(layout).items():
            block = condition[:, offset : offset + width]
            start = layout.spans[index].start
            held = teacher[:, start : start + width]
            assert torch.equal(held[block.sum(dim=1) > 0], block[block.sum(dim=1) > 0])

    taught.clear(), multipliers.clear()
    AttnCorrGANSynthesizer(mixed_metadata, likelihood_weight=0.0, **options).fit(
        {TABLE: mixed_table}
    )
    assert taught == [] and multipliers == [1.0, 1.0]
