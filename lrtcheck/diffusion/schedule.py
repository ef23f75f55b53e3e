"""DDPM noise schedules (Ho et al. 2020, arXiv 2006.11239, §2, §4; docs/methods/diffusion.md §1-§2).

Index convention: steps t = 1..T are stored at array index t-1.  ``alpha_bars[t-1] = prod_{i<=t} (1 - beta_i)``
and ``alpha_bar_0 = 1``.  The reverse variance is ``posterior_variance = beta_t (1 - alpha_bar_{t-1}) / (1 -
alpha_bar_t)`` ("fixed_small", zero at t = 1) or ``betas`` ("fixed_large").

* ``linear(T, beta_start, beta_end)``: Ho et al. (2020); with T = 100 and the default range alpha_bar_T ~ 0.36, so
  the N(0, I) prior is mismatched (docs/methods/diffusion.md §2): use T near 1000 or accept it.
* ``cosine(T, s)``: Nichol & Dhariwal (2021), alpha_bar(t) = cos^2(((t/T) + s)/(1 + s) pi/2) / (same at 0), betas
  clipped at ``max_beta`` = 0.999.
* ``vp(T, b_min, b_max)``: Diffusion-QL's ``vp_beta_schedule``: alpha_t = exp(-b_min/T - (b_max - b_min)(2t-1)/(2T^2)).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from lrtcheck.diffusion._validate import check_finite_array, choice
from lrtcheck.stats.validation import check_open_unit, check_positive, check_positive_int

__all__ = ["Schedule", "VARIANCES"]

VARIANCES = ("posterior", "beta")


#: the most diffusion steps a schedule may have (DDPM uses 1000; beyond this the arrays are a mistake)
MAX_STEPS = 10**7


@dataclass(frozen=True, eq=False)
class Schedule:
    """A discrete DDPM schedule given by its betas (float64, each in (0, 1))."""

    betas: np.ndarray
    name: str = "custom"
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):
            raise ValueError(f"name must be a string, got {self.name!r}")
        b = check_finite_array("betas", self.betas, ndim=1)
        if b.size < 1:
            raise ValueError("betas must hold at least one step")
        if np.any(b <= 0.0) or np.any(b >= 1.0):
            raise ValueError("betas must lie in the open interval (0, 1)")
        b = b.copy()
        b.setflags(write=False)
        object.__setattr__(self, "betas", b)

    # --- constructors -------------------------------------------------------------------------------------------
    @classmethod
    def linear(cls, T: int, beta_start: float = 1e-4, beta_end: float = 2e-2) -> "Schedule":
        T = check_positive_int("T", T, maximum=MAX_STEPS)
        beta_start = check_open_unit("beta_start", beta_start)
        beta_end = check_open_unit("beta_end", beta_end)
        if beta_end < beta_start:
            raise ValueError(f"beta_end must be >= beta_start (got {beta_start}, {beta_end})")
        return cls(np.linspace(beta_start, beta_end, T, dtype=np.float64), name=f"linear(T={T})")

    @classmethod
    def cosine(cls, T: int, s: float = 0.008, max_beta: float = 0.999) -> "Schedule":
        T = check_positive_int("T", T, maximum=MAX_STEPS)
        s = check_positive("s", s)
        max_beta = check_open_unit("max_beta", max_beta)
        t = np.arange(T + 1, dtype=np.float64) / T
        f = np.cos((t + s) / (1 + s) * math.pi / 2) ** 2
        ab = f / f[0]
        betas = np.clip(1.0 - ab[1:] / ab[:-1], 1e-12, max_beta)
        return cls(betas, name=f"cosine(T={T})")

    @classmethod
    def vp(cls, T: int = 5, b_min: float = 0.1, b_max: float = 10.0) -> "Schedule":
        T = check_positive_int("T", T, maximum=MAX_STEPS)
        b_min = check_positive("b_min", b_min)
        b_max = check_positive("b_max", b_max)
        if b_max < b_min:
            raise ValueError(f"b_max must be >= b_min (got {b_min}, {b_max})")
        t = np.arange(1, T + 1, dtype=np.float64)
        alphas = np.exp(-b_min / T - 0.5 * (b_max - b_min) * (2 * t - 1) / T**2)
        if not (np.all(alphas > 0.0) and np.all(alphas < 1.0)):
            raise ValueError(f"b_min and b_max too large for T={T}: every beta_t = 1 - alpha_t must lie in (0, 1)")
        return cls(1.0 - alphas, name=f"vp(T={T})")

    # --- derived quantities -------------------------------------------------------------------------------------
    @property
    def T(self) -> int:
        return int(self.betas.size)

    @property
    def alphas(self) -> np.ndarray:
        return 1.0 - self.betas

    @property
    def alpha_bars(self) -> np.ndarray:
        if "ab" not in self._cache:
            self._cache["ab"] = np.cumprod(self.alphas)
        return self._cache["ab"]

    @property
    def alpha_bars_prev(self) -> np.ndarray:
        """alpha_bar_{t-1} for t = 1..T (alpha_bar_0 = 1)."""
        return np.concatenate([[1.0], self.alpha_bars[:-1]])

    @property
    def posterior_variance(self) -> np.ndarray:
        """beta~_t = beta_t (1 - alpha_bar_{t-1}) / (1 - alpha_bar_t); exactly 0 at t = 1."""
        return self.betas * (1.0 - self.alpha_bars_prev) / (1.0 - self.alpha_bars)

    def variance(self, kind: str) -> np.ndarray:
        """Reverse-step variance sigma_t^2: ``"posterior"`` (beta~_t) or ``"beta"`` (beta_t)."""
        choice("kind", kind, VARIANCES)
        if kind == "posterior":
            return self.posterior_variance
        if kind == "beta":
            return self.betas
        raise ValueError(f"variance must be one of {VARIANCES}, got {kind!r}")

    def fingerprint(self) -> str:
        """A stable description used in configuration hashes."""
        return f"{self.name}:{np.round(self.betas, 15).tobytes().hex()[:64]}:{self.T}"
