"""The README's "Extending" example runs as written, and its regulariser reaches the loss."""

import re
from pathlib import Path

from sdv_attncorr.core.losses.registry import GENERATOR_REGULARIZERS

README = Path(__file__).resolve().parents[2] / 'README.md'


def extending_example():
    section = README.read_text().split('## Extending', 1)[1]
    return re.search(r'```python\n(.*?)```', section, re.DOTALL).group(1)


def test_the_readme_regulariser_is_trained_and_recorded(capsys):
    code = extending_example()
    namespace = {}
    try:
        exec(compile(code, str(README), 'exec'), namespace)  # noqa: S102 (the README's own code)
    finally:
        added = GENERATOR_REGULARIZERS.pop('mean', None)

    losses = namespace['synthesizer'].get_loss_values()
    assert added is not None
    assert list(losses['Epoch']) == [0, 1]
    assert (losses['Mean Loss'] > 0).all()
    assert 'Mean Loss' in capsys.readouterr().out


def test_the_example_is_short():
    assert len(extending_example().strip().splitlines()) <= 25
