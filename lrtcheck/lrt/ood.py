"""State-conditional kNN OOD rate and the return-OOD Pareto (docs/methods/lrt_diffusion.md §11).

In standardised space (dataset means and stds of states and of actions):
1. N_k(s) = the k nearest dataset states of s;
2. d(s, a) = min_{j in N_k(s)} ||a - a_j||;
3. the threshold is the q-th percentile of the leave-one-out distances d_i over the dataset pairs (i excluded from
   its own neighbourhood);
4. the OOD rate is the mean of 1[d(s, a) > threshold].
Distances are computed with torch in chunks (``torch.cdist`` + ``topk``), on any device.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.diffusion._validate import check_finite_array, torch_device
from lrtcheck.stats.validation import check_positive, check_positive_int

__all__ = ["StateConditionalOOD"]


class StateConditionalOOD:
    """kNN OOD detector (scikit-learn style: ``fit(states, actions)`` then ``distance`` / ``rate``).

    Fitted attributes: ``threshold_``, ``loo_distances_``, ``state_mean_``, ``state_std_``, ``action_mean_``,
    ``action_std_``.
    """

    def __init__(self, k: int = 10, q: float = 95.0, *, chunk: int = 4096, device: str = "cpu"):
        self.k = check_positive_int("k", k)
        q = check_positive("q", q)
        if q >= 100.0:
            raise ValueError(f"q must lie in (0, 100), got {q}")
        self.q = q
        self.chunk = check_positive_int("chunk", chunk)
        self.device = torch_device("device", device)

    def fit(self, states, actions) -> "StateConditionalOOD":
        import torch

        s = check_finite_array("states", states, ndim=2)
        a = check_finite_array("actions", actions, ndim=2)
        if s.shape[0] != a.shape[0]:
            raise ValueError("states and actions must have the same number of rows")
        if s.shape[0] <= self.k:
            raise ValueError(f"need more than k={self.k} dataset pairs, got {s.shape[0]}")
        self.state_mean_, self.state_std_ = s.mean(0), np.where(s.std(0) > 0, s.std(0), 1.0)
        self.action_mean_, self.action_std_ = a.mean(0), np.where(a.std(0) > 0, a.std(0), 1.0)
        dev = torch.device(self.device)
        self._S = torch.as_tensor((s - self.state_mean_) / self.state_std_, device=dev)
        self._A = torch.as_tensor((a - self.action_mean_) / self.action_std_, device=dev)
        self.loo_distances_ = self._distances(self._S, self._A, leave_one_out=True)
        self.threshold_ = float(np.percentile(self.loo_distances_, self.q))
        return self

    def _distances(self, S, A, leave_one_out: bool) -> np.ndarray:
        import torch

        out = []
        n_data = self._S.shape[0]
        for start in range(0, S.shape[0], self.chunk):
            stop = min(S.shape[0], start + self.chunk)
            dist = torch.cdist(S[start:stop], self._S)
            if leave_one_out:
                rows = torch.arange(stop - start, device=dist.device)
                dist[rows, rows + start] = float("inf")
            k = min(self.k, n_data - (1 if leave_one_out else 0))
            nn_idx = dist.topk(k, dim=1, largest=False).indices  # (b, k)
            acts = self._A[nn_idx]  # (b, k, d)
            da = torch.linalg.vector_norm(acts - A[start:stop].unsqueeze(1), dim=2)
            out.append(da.min(dim=1).values.cpu().numpy())
        return np.concatenate(out)

    def distance(self, states, actions) -> np.ndarray:
        """d(s, a) for each pair (standardised units)."""
        import torch

        if not hasattr(self, "threshold_"):
            raise ValueError("call fit(states, actions) first")
        s = check_finite_array("states", states, ndim=2)
        a = check_finite_array("actions", actions, ndim=2)
        if s.shape[0] != a.shape[0]:
            raise ValueError("states and actions must have the same number of rows")
        if s.shape[0] == 0:
            raise ValueError("states must not be empty")
        if s.shape[1] != self._S.shape[1] or a.shape[1] != self._A.shape[1]:
            raise ValueError(f"states and actions must have {self._S.shape[1]} and {self._A.shape[1]} columns as in "
                             f"fit, got {s.shape[1]} and {a.shape[1]}")
        dev = self._S.device
        S = torch.as_tensor((s - self.state_mean_) / self.state_std_, device=dev)
        A = torch.as_tensor((a - self.action_mean_) / self.action_std_, device=dev)
        return self._distances(S, A, leave_one_out=False)

    def flags(self, states, actions) -> np.ndarray:
        return self.distance(states, actions) > self.threshold_

    def rate(self, states, actions) -> float:
        """The OOD rate: mean of d(s, a) > threshold."""
        return float(np.mean(self.flags(states, actions)))
