"""Torch discriminators for the log-ratios (C-SAR paper §2, §5 and §9; DARC, Eysenbach et al. 2021, arXiv
2006.13916; docs/methods/csar.md §2).

Inputs are tuples of categorical factors (``(s, a, s')`` or ``(s, a)``) given as an integer matrix with known
cardinalities.  Two models:

* ``kind="logistic"``: logistic regression on the one-hot of the **joint** cell (a saturated model: it can represent
  the Bayes logit of any sampling design exactly), fitted by vectorised Newton steps (the penalised NLL separates over cells) with a small L2 penalty;
* ``kind="mlp"``: a small MLP (one hidden layer) on the concatenated one-hots of the factors, Adam full-batch.

Class priors: ``balance=True`` weights the classes to equal total weight, so the Bayes logit has no prior term
(offset 0); ``balance=False`` records the sampling prior ``rho`` and ``offset_ = log((1 - rho)/rho)`` turns the
logit into the log density ratio.  ``ell_p`` is estimated either at matched ``(s, a)`` marginals (one classifier)
or as DARC's ``z_sas' - z_sa`` (two classifiers), which cancels any ``(s, a)`` marginal mismatch.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ._inputs import labels_1d
from .prior import log_ratio_offset

__all__ = ["Discriminator", "cross_fit_logits", "darc_log_ratio"]


def _joint_index(X: np.ndarray, cards) -> np.ndarray:
    idx = np.zeros(X.shape[0], dtype=np.int64)
    for j, c in enumerate(cards):
        idx = idx * int(c) + X[:, j]
    return idx


class Discriminator:
    """Binary discriminator on categorical tuples; ``logit(X)`` returns the log density ratio estimate
    (``raw logit + offset_``) and ``raw_logit(X)`` the classifier's logit.

    Parameters: ``cards`` (factor cardinalities), ``kind`` (``"logistic"`` or ``"mlp"``), ``balance``, ``l2``,
    ``steps`` (Adam steps for the MLP), ``hidden``, ``seed``.
    """

    def __init__(self, cards, *, kind: str = "logistic", balance: bool = True, l2: float = 1e-4, steps: int = 300,
                 hidden: int = 32, lr: float = 0.05, seed=0):
        self.cards = tuple(int(c) for c in cards)
        self.kind = kind
        self.balance = balance
        self.l2 = l2
        self.steps = steps
        self.hidden = hidden
        self.lr = lr
        self.seed = seed

    def _check_X(self, X) -> np.ndarray:
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != len(self.cards):
            raise ValueError(f"X must have shape (n, {len(self.cards)}), got {X.shape}")
        if np.any(X < 0) or np.any(X >= np.asarray(self.cards)):
            raise ValueError("X has a factor level outside its cardinality")
        return X.astype(np.int64)

    def _features(self, X: np.ndarray) -> torch.Tensor:
        if self.kind == "logistic":
            return torch.from_numpy(_joint_index(X, self.cards))
        offs = np.cumsum((0,) + self.cards[:-1])
        cols = torch.from_numpy(X + offs)
        F = torch.zeros(X.shape[0], int(sum(self.cards)), dtype=torch.float64)
        F.scatter_(1, cols, 1.0)
        return F

    def _forward(self, F):
        if self.kind == "logistic":
            return self.theta_[F] + self.bias_
        return self.net_(F).squeeze(-1)

    def fit(self, X, y):
        if self.kind not in ("logistic", "mlp"):
            raise ValueError(f"kind must be 'logistic' or 'mlp', got {self.kind!r}")
        X = self._check_X(X)
        y = labels_1d("y", y)
        if X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError("X and y must be non-empty and of the same length")
        n1 = float(y.sum())
        n0 = y.shape[0] - n1
        if n1 == 0 or n0 == 0:
            raise ValueError("both classes must be present to train a discriminator")
        self.prior_ = n1 / (n1 + n0)
        if self.balance:
            w = np.where(y == 1, 0.5 / n1, 0.5 / n0)
            self.offset_ = 0.0
        else:
            w = np.full(y.shape[0], 1.0 / y.shape[0])
            self.offset_ = log_ratio_offset(self.prior_)
        g = torch.Generator().manual_seed(int(np.random.SeedSequence(self.seed).generate_state(1)[0]))
        F = self._features(X)
        yt = torch.from_numpy(y)
        wt = torch.from_numpy(w)
        if self.kind == "logistic":
            # saturated logistic regression: the penalised weighted NLL separates over cells,
            # sum_c [W1_c softplus(-z_c) + W0_c softplus(z_c)] + l2 z_c^2, solved by vectorised Newton steps
            n_cells = int(np.prod(self.cards))
            W1 = torch.zeros(n_cells, dtype=torch.float64).index_add_(0, F, wt * yt)
            W0 = torch.zeros(n_cells, dtype=torch.float64).index_add_(0, F, wt * (1 - yt))
            z = torch.zeros(n_cells, dtype=torch.float64)
            lam = max(float(self.l2), 1e-12)
            for _ in range(100):
                sig = torch.sigmoid(z)
                grad = -W1 * (1 - sig) + W0 * sig + 2 * lam * z
                hess = (W1 + W0) * sig * (1 - sig) + 2 * lam
                step = grad / hess
                z = z - step
                if float(step.abs().max()) < 1e-12:
                    break
            self.theta_ = z
            self.bias_ = torch.zeros((), dtype=torch.float64)
        else:
            d = int(sum(self.cards))
            lin1 = torch.nn.Linear(d, self.hidden, dtype=torch.float64)
            lin2 = torch.nn.Linear(self.hidden, 1, dtype=torch.float64)
            with torch.no_grad():
                for lin in (lin1, lin2):
                    bound = 1.0 / math.sqrt(lin.in_features)
                    lin.weight.uniform_(-bound, bound, generator=g)
                    lin.bias.uniform_(-bound, bound, generator=g)
            self.net_ = torch.nn.Sequential(lin1, torch.nn.Tanh(), lin2)
            opt = torch.optim.Adam(self.net_.parameters(), lr=self.lr)
            for _ in range(int(self.steps)):
                opt.zero_grad()
                z = self._forward(F)
                loss = torch.sum(wt * torch.nn.functional.binary_cross_entropy_with_logits(z, yt, reduction="none"))
                loss = loss + self.l2 * sum(torch.sum(p ** 2) for p in self.net_.parameters())
                loss.backward()
                opt.step()
        return self

    def raw_logit(self, X) -> np.ndarray:
        if not hasattr(self, "prior_"):
            raise ValueError("this Discriminator is not fitted yet; call fit(X, y) first")
        X = self._check_X(X)
        with torch.no_grad():
            return self._forward(self._features(X)).numpy().astype(np.float64)

    def logit(self, X) -> np.ndarray:
        """Estimated log density ratio: the raw logit plus the recorded prior correction ``offset_``."""
        return self.raw_logit(X) + self.offset_


def cross_fit_logits(make, X, y, *, n_folds: int = 2, seed=0):
    """Out-of-fold raw logits: each point is scored by a discriminator not trained on it (cross-fitting).

    Returns ``(oof_logits, folds, models)``; ``make(k)`` builds the k-th discriminator.
    """
    X = np.asarray(X)
    y = labels_1d("y", y)
    if n_folds < 2:
        raise ValueError(f"n_folds must be >= 2, got {n_folds}")
    folds = np.random.default_rng(seed).permutation(y.shape[0]) % n_folds
    out = np.empty(y.shape[0])
    models = []
    for k in range(n_folds):
        tr = folds != k
        m = make(k).fit(X[tr], y[tr])
        out[~tr] = m.raw_logit(X[~tr])
        models.append(m)
    return out, folds, models


def darc_log_ratio(sas: Discriminator, sa: Discriminator, X_sas) -> np.ndarray:
    """DARC: ``z_sas'(s,a,s') - z_sa(s,a)`` (raw logits; the prior terms cancel)."""
    X_sas = np.asarray(X_sas)
    return sas.raw_logit(X_sas) - sa.raw_logit(X_sas[:, :2])
