"""Two-head MLP and trainer: one fused forward equals the two separate forwards; training reduces the loss."""

import numpy as np
import pytest
import torch

from lrtcheck.diffusion import Schedule, TwoHeadDenoiser, TwoHeadTrainer


def test_fused_forward_equals_separate():
    torch.manual_seed(0)
    m = TwoHeadDenoiser(2, 3, hidden=16)
    s, a = torch.randn(5, 3), torch.randn(5, 2)
    eu, ec = m(s, a, 4)
    torch.testing.assert_close(eu, m.eps_u(s, a, 4))
    torch.testing.assert_close(ec, m.eps_c(s, a, 4))
    eu2, _ = m(s, a, torch.full((5,), 4))
    torch.testing.assert_close(eu, eu2)


def test_trainer_learns_and_is_deterministic():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((500, 2)) * 0.3 + 1.0
    good = np.zeros(500, bool)
    good[:100] = True
    tr = TwoHeadTrainer(Schedule.cosine(10), steps=150, batch_size=64, hidden=16, seed=3).fit(None, a, good)
    tr2 = TwoHeadTrainer(Schedule.cosine(10), steps=150, batch_size=64, hidden=16, seed=3).fit(None, a, good)
    assert tr.losses_[-30:].mean() < tr.losses_[:30].mean()
    assert tr.model_.fingerprint() == tr2.model_.fingerprint()


def test_trainer_bad_inputs():
    a = np.zeros((10, 2))
    with pytest.raises(ValueError, match="good"):
        TwoHeadTrainer(Schedule.cosine(5), steps=1).fit(None, a, np.zeros(10, bool))
    with pytest.raises(ValueError, match="advantages"):
        TwoHeadTrainer(Schedule.cosine(5), steps=1, advantage_weights=True).fit(None, a, np.ones(10, bool))
