"""A torch MLP for tabular vectors, with a sinusoidal time embedding and an optional risk-conditioning input.

``TabularMLP(dim, members=M)`` holds M independent networks with stacked weights (M, in, out) evaluated by one
batched matmul: M seeds (or M model variants) train in one loop, each member on its own data and its own loss term,
and since Adam is element-wise the members do not interact.  Input x has shape (M, B, dim) (or (B, dim) when M = 1);
the time input tau in [0, 1] has shape (M, B) (or (B,)).

Risk conditioning (the risk-conditional guidance baseline, arXiv 2402.02081 App. A): ``cond_dim > 0`` adds an input r
(M, B, cond_dim) embedded by a linear layer, and a learned null token used where ``use_cond`` is False (classifier-free
guidance's unconditional branch, Ho & Salimans 2022).
"""

from __future__ import annotations

import math

import torch
from torch import nn

from lrtcheck.stats.validation import check_positive_int

__all__ = ["TabularMLP", "time_embedding"]


def time_embedding(tau: torch.Tensor, features: int, max_freq: float = 1000.0) -> torch.Tensor:
    """[sin(tau f_k), cos(tau f_k)] with f_k geometric in [1, max_freq] (``features`` even)."""
    half = features // 2
    freqs = torch.exp(torch.linspace(0.0, math.log(max_freq), half, device=tau.device, dtype=tau.dtype))
    ang = tau.unsqueeze(-1) * freqs
    return torch.cat([torch.sin(ang), torch.cos(ang)], dim=-1)


class _StackedLinear(nn.Module):
    def __init__(self, members: int, fan_in: int, fan_out: int):
        super().__init__()
        bound = 1.0 / math.sqrt(fan_in)
        self.weight = nn.Parameter(torch.empty(members, fan_in, fan_out).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(members, 1, fan_out).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias, x, self.weight)


class TabularMLP(nn.Module):
    """M stacked MLPs: concat(x, time embedding[, risk embedding]) -> depth x (Linear, SiLU) -> Linear(dim).

    Parameters
    ----------
    dim : data dimension D.
    hidden : width.  depth : number of hidden layers (>= 1).  time_features : size of the time embedding (even).
    cond_dim : size of the conditioning input (0: none).  members : number of independent networks M.
    generator : torch.Generator for the initial weights (reproducible initialisation).
    """

    def __init__(self, dim: int, hidden: int = 128, depth: int = 3, time_features: int = 16, cond_dim: int = 0,
                 members: int = 1, generator: torch.Generator | None = None):
        super().__init__()
        self.dim = check_positive_int("dim", dim)
        self.hidden = check_positive_int("hidden", hidden)
        self.depth = check_positive_int("depth", depth)
        self.time_features = check_positive_int("time_features", time_features, minimum=2)
        if self.time_features % 2:
            raise ValueError(f"time_features must be even, got {time_features}")
        self.cond_dim = check_positive_int("cond_dim", cond_dim, minimum=0)
        self.members = check_positive_int("members", members)
        M = self.members
        with torch.random.fork_rng(devices=[]):
            if generator is not None:
                torch.manual_seed(int(torch.randint(0, 2**62, (1,), generator=generator)))
            fan_in = dim + time_features + (hidden if cond_dim else 0)
            layers = [_StackedLinear(M, fan_in, hidden)]
            for _ in range(depth - 1):
                layers.append(_StackedLinear(M, hidden, hidden))
            self.layers = nn.ModuleList(layers)
            self.out = _StackedLinear(M, hidden, dim)
            if cond_dim:
                self.cond = _StackedLinear(M, cond_dim, hidden)
                self.null_token = nn.Parameter(torch.randn(M, 1, hidden) * 0.1)
        self.act = nn.SiLU()

    def forward(self, x: torch.Tensor, tau: torch.Tensor, cond: torch.Tensor | None = None,
                use_cond: torch.Tensor | None = None) -> torch.Tensor:
        squeeze = x.dim() == 2
        if squeeze:
            if self.members != 1:
                raise ValueError(f"x must have shape (M={self.members}, B, D) for an ensemble, got {tuple(x.shape)}")
            x = x.unsqueeze(0)
            tau = tau.unsqueeze(0)
            cond = cond.unsqueeze(0) if cond is not None else None
            use_cond = use_cond.unsqueeze(0) if use_cond is not None else None
        if x.dim() != 3 or x.shape[0] != self.members or x.shape[2] != self.dim:
            raise ValueError(f"x must have shape ({self.members}, B, {self.dim}), got {tuple(x.shape)}")
        if tau.shape != x.shape[:2]:
            tau = tau.expand(x.shape[:2])
        h = [x, time_embedding(tau, self.time_features)]
        if self.cond_dim:
            null = self.null_token.expand(x.shape[0], x.shape[1], self.hidden)
            if cond is None:
                h.append(null)
            else:
                emb = self.cond(cond)
                mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device) if use_cond is None else use_cond
                h.append(torch.where(mask.unsqueeze(-1), emb, null))
        z = torch.cat(h, dim=-1)
        for layer in self.layers:
            z = self.act(layer(z))
        out = self.out(z)
        return out.squeeze(0) if squeeze else out
