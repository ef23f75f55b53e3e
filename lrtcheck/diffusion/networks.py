"""A torch two-head eps-network and its trainer (docs/methods/diffusion.md §6; docs/methods/lrt_diffusion.md §2).

:class:`TwoHeadDenoiser`: one trunk MLP on (a_t, s, emb(t)) with a sinusoidal time embedding and two linear output
heads u (background) and c (good); ONE forward returns both (``model(s, a_t, t) -> (eps_u, eps_c)``), which is the
two-head protocol of :class:`lrtcheck.lrt.LRTSampler`.  ``eps_u`` / ``eps_c`` run the trunk for one head only (the
"separate forwards" baseline of the benchmarks).

:class:`TwoHeadTrainer`: the DDPM eps-loss
    L = E_{D_all, t, eps} ||eps - eps_u(s, a_t, t)||^2 + E_{D_good, t, eps} w ||eps - eps_c(s, a_t, t)||^2,
a_t = sqrt(ab_t) a + sqrt(1 - ab_t) eps, t ~ U{1..T}; class balancing draws the good minibatch at the same size as the
all-data minibatch; optional positive-advantage weights w = 1 + clip(A / std(A), 0, w_max), normalised to mean 1
over the good set.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import torch
from torch import nn

from lrtcheck.diffusion._validate import (MAX_DIM, check_finite_array, flag, flag_array, strict_int, tensor_input,
                                          torch_device)
from lrtcheck.stats.validation import check_nonnegative, check_positive, check_positive_int

from .schedule import Schedule

__all__ = ["TwoHeadDenoiser", "TwoHeadTrainer", "sinusoidal_embedding"]


def sinusoidal_embedding(t, dim: int, max_period: float = 10000.0):
    """[sin(t f_i), cos(t f_i)] with f_i = max_period^(-i / (dim/2)) (Vaswani et al. 2017; DDPM's time embedding)."""
    dim = strict_int("dim", dim, minimum=1, maximum=MAX_DIM)
    max_period = check_positive("max_period", max_period)
    if max_period < 1.0:  # frequencies max_period^(-i/half) would exceed 1 and overflow float32
        raise ValueError(f"max_period must be >= 1 (frequencies max_period^(-i / half) lie in (0, 1]), got "
                         f"{max_period!r}")
    if isinstance(t, torch.Tensor):
        if t.is_complex():
            raise ValueError("t must be real, got a complex tensor")
        if t.dtype == torch.bool:
            raise ValueError("t must hold time steps (numbers), got a bool tensor")
        if not bool(torch.isfinite(t.to(torch.float64)).all()):
            raise ValueError("t must contain only finite values (found NaN or inf)")
    else:
        t = check_finite_array("t", t)
    t = torch.as_tensor(t, dtype=torch.float32).reshape(-1, 1)
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    ang = t * freqs.unsqueeze(0)
    emb = torch.cat([torch.sin(ang), torch.cos(ang)], dim=1)
    return emb if dim % 2 == 0 else torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=1)


#: the most hidden layers a trunk may have (a deeper one is a typo, and would take minutes to build)
MAX_DEPTH = 1000


class TwoHeadDenoiser(nn.Module):
    """Shared-trunk two-head eps-network.

    Parameters
    ----------
    action_dim, state_dim : dimensions (state_dim 0 for an unconditional model).
    hidden, depth : trunk width and number of hidden layers (Mish activations, as Diffusion-QL).
    time_dim : size of the sinusoidal embedding of t.
    """

    def __init__(self, action_dim: int, state_dim: int = 0, *, hidden: int = 64, depth: int = 2, time_dim: int = 16):
        super().__init__()
        self.action_dim = check_positive_int("action_dim", action_dim, maximum=MAX_DIM)
        self.state_dim = check_positive_int("state_dim", state_dim, minimum=0, maximum=MAX_DIM)
        self.time_dim = check_positive_int("time_dim", time_dim, minimum=2, maximum=MAX_DIM)
        hidden = check_positive_int("hidden", hidden, maximum=MAX_DIM)
        depth = check_positive_int("depth", depth, maximum=MAX_DEPTH)
        layers, width = [], action_dim + state_dim + time_dim
        for _ in range(depth):
            layers += [nn.Linear(width, hidden), nn.Mish()]
            width = hidden
        self.trunk = nn.Sequential(*layers)
        self.head_u = nn.Linear(hidden, action_dim)
        self.head_c = nn.Linear(hidden, action_dim)
        self.conditional = state_dim > 0
        self.dim = action_dim

    def _features(self, states, actions, t):
        dtype = self.head_u.weight.dtype
        if not isinstance(actions, torch.Tensor) or not actions.is_floating_point():
            raise ValueError("actions must be a real floating torch tensor (B, action_dim)")
        if actions.dim() != 2 or actions.shape[1] != self.action_dim:
            raise ValueError(f"actions must have shape (B, {self.action_dim}), got {tuple(actions.shape)}")
        if actions.shape[0] == 0:
            raise ValueError("actions must not be empty")
        tensor_input("actions", actions, ndim=2, cols=self.action_dim)
        if self.state_dim > 0:
            if not isinstance(states, torch.Tensor) or not states.is_floating_point():
                raise ValueError("states must be a real floating torch tensor (B, state_dim)")
            if tuple(states.shape) != (actions.shape[0], self.state_dim):
                raise ValueError(f"states must have shape ({actions.shape[0]}, {self.state_dim}), got "
                                 f"{tuple(states.shape)}")
            tensor_input("states", states, ndim=2)
        if not isinstance(t, torch.Tensor):
            t = strict_int("t", t, minimum=0)
        else:
            if t.is_complex() or t.dtype == torch.bool:
                raise ValueError(f"t must hold integer time steps, got dtype {t.dtype}")
            if t.is_floating_point() and not bool((torch.isfinite(t) & (t == torch.round(t))).all()):
                raise ValueError("t must hold integer time steps (a non-integer or non-finite entry)")
            if t.numel() and bool((t < 0).any()):
                raise ValueError("t must hold time steps >= 0")
        x = actions.to(dtype)
        B = x.shape[0]
        tt = torch.as_tensor(t, device=x.device)
        if tt.dim() == 0:
            tt = tt.expand(B)
        emb = sinusoidal_embedding(tt.to(x.device), self.time_dim).to(dtype)
        parts = [x, emb] if self.state_dim == 0 else [x, states.to(dtype), emb]
        return self.trunk(torch.cat(parts, dim=1))

    def forward(self, states, actions, t):
        """(eps_u, eps_c) from one trunk pass; t an int (1..T) or a (B,) tensor."""
        h = self._features(states, actions, t)
        out_dtype = actions.dtype
        return self.head_u(h).to(out_dtype), self.head_c(h).to(out_dtype)

    def eps_u(self, states, actions, t):
        return self.head_u(self._features(states, actions, t)).to(actions.dtype)

    def eps_c(self, states, actions, t):
        return self.head_c(self._features(states, actions, t)).to(actions.dtype)

    def fingerprint(self) -> str:
        h = hashlib.sha256()
        for p in self.state_dict().values():
            h.update(p.detach().cpu().to(torch.float64).numpy().tobytes())
        return "two-head-mlp:" + h.hexdigest()[:16]


class TwoHeadTrainer:
    """Fit a :class:`TwoHeadDenoiser` with the eps-loss on all data (u head) and the good subset (c head).

    Parameters follow scikit-learn: ``fit(states, actions, good, advantages=None)`` returns self; ``model_`` and
    ``losses_`` (per-step total loss) are set.  ``seed`` fixes initialisation, minibatches, t and eps.
    """

    def __init__(self, schedule: Schedule, *, hidden: int = 64, depth: int = 2, time_dim: int = 16,
                 steps: int = 2000, batch_size: int = 256, lr: float = 2e-3, advantage_weights: bool = False,
                 w_max: float = 3.0, seed: int = 0, device: str = "cpu"):
        if not isinstance(schedule, Schedule):
            raise ValueError("schedule must be a lrtcheck.diffusion.Schedule")
        self.schedule = schedule
        self.hidden, self.depth, self.time_dim = hidden, depth, time_dim
        self.steps = check_positive_int("steps", steps)
        self.batch_size = check_positive_int("batch_size", batch_size)
        self.lr = check_positive("lr", lr)
        self.hidden = check_positive_int("hidden", hidden)
        self.depth = check_positive_int("depth", depth)
        self.time_dim = check_positive_int("time_dim", time_dim, minimum=2)
        self.advantage_weights = flag("advantage_weights", advantage_weights)
        self.w_max = check_nonnegative("w_max", w_max)
        self.seed = strict_int("seed", seed, minimum=0)
        self.device = torch_device("device", device)

    def fit(self, states, actions, good, advantages=None) -> "TwoHeadTrainer":
        a = check_finite_array("actions", actions, ndim=2)
        n, d = a.shape
        if n == 0 or d == 0:
            raise ValueError(f"actions must not be empty (shape (n, d) with n, d >= 1), got {a.shape}")
        s = None if states is None else check_finite_array("states", states, ndim=2)
        if s is not None and s.shape[0] != n:
            raise ValueError(f"states must have {n} rows, got {s.shape[0]}")
        g = flag_array("good", good)
        if g.shape[0] != n:
            raise ValueError(f"good must have {n} entries, got {g.shape[0]}")
        if not g.any():
            raise ValueError("good must mark at least one pair")
        w_good = None
        if self.advantage_weights:
            if advantages is None:
                raise ValueError("advantage_weights=True needs advantages")
            adv = check_finite_array("advantages", advantages, ndim=1)
            sd = float(np.std(adv)) or 1.0
            w = 1.0 + np.clip(adv / sd, 0.0, self.w_max)
            w_good = w[g] / w[g].mean()
        torch.manual_seed(self.seed)  # initialisation only; the data stream uses its own generator below
        gen = torch.Generator(device="cpu").manual_seed(self.seed + 1)
        dev = torch.device(self.device)
        model = TwoHeadDenoiser(d, 0 if s is None else s.shape[1], hidden=self.hidden, depth=self.depth,
                                time_dim=self.time_dim).to(dev)
        opt = torch.optim.Adam(model.parameters(), lr=self.lr)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.steps, eta_min=self.lr * 0.05)
        A = torch.as_tensor(a, dtype=torch.float32, device=dev)
        S = None if s is None else torch.as_tensor(s, dtype=torch.float32, device=dev)
        good_idx = torch.as_tensor(np.flatnonzero(g), device=dev)
        Wg = None if w_good is None else torch.as_tensor(w_good, dtype=torch.float32, device=dev)
        ab = torch.as_tensor(self.schedule.alpha_bars, dtype=torch.float32, device=dev)
        T, bs = self.schedule.T, self.batch_size
        losses = np.empty(self.steps)
        for step in range(self.steps):
            iu = torch.randint(0, n, (bs,), generator=gen).to(dev)
            jg = torch.randint(0, good_idx.numel(), (bs,), generator=gen).to(dev)
            ic = good_idx[jg]
            idx = torch.cat([iu, ic])
            t = torch.randint(1, T + 1, (2 * bs,), generator=gen).to(dev)
            eps = torch.randn((2 * bs, d), generator=gen).to(dev)
            abt = ab[t - 1].unsqueeze(1)
            at = abt.sqrt() * A[idx] + (1.0 - abt).sqrt() * eps
            eu, ec = model(None if S is None else S[idx], at, t)
            loss_u = ((eu[:bs] - eps[:bs]) ** 2).sum(1).mean()
            per_c = ((ec[bs:] - eps[bs:]) ** 2).sum(1)
            loss_c = (per_c * Wg[jg]).mean() if Wg is not None else per_c.mean()
            loss = loss_u + loss_c
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
            losses[step] = float(loss.detach())
        model.eval()
        for p in model.parameters():
            p.requires_grad_(False)
        self.model_ = model
        self.losses_ = losses
        return self
