"""Data: the paper's proof of concept, a real tabular set made noisy by KNN imputation, and risk estimation.

* :func:`proof_of_concept` (arXiv 2402.02081, §5.1, Figs. 3-4): a 2-D Gaussian mixture (three isotropic components)
  in which a fraction (default 95%) of one component's samples is corrupted, x~_0 = x_0 + noise, with per-sample,
  per-dimension risk r ~ U(r_low, r_high): Gaussian noise N(0, diag(r^2)) or independent Cauchy(0, r_j).  The other
  samples are clean (r = 0).  ``corrupted_component=None`` corrupts every component alike (the risk is then
  independent of the clean sample, the setting in which the paper's Prop. 3.1 makes the minimiser exactly the clean
  score; with one component corrupted the risk depends on x_0 and the per-t training population is re-weighted
  towards the clean components below and near the noisy samples' stability edges).
  Component means, scale and corruption levels are our choice (the paper does not
  print them) and are parameters.
* :func:`estimate_risk_knn` -- the paper's tabular recipe when risk is not given: each missing entry is imputed by
  the median of that feature over the k = 10 nearest rows (``sklearn.neighbors.NearestNeighbors`` with the
  ``nan_euclidean`` metric, among rows where the feature is observed) and its risk is the absolute median deviation
  median_i |v_i - median(v)| of those k values (0 for observed entries).  The MAD is used as the risk as in the paper;
  ``risk_scale = 1.4826`` would convert it to a Gaussian standard deviation.
* :func:`knn_imputed_tabular` -- a real data set bundled with scikit-learn (``wine``, ``diabetes``,
  ``breast_cancer``; no download), standardised per column, with ``mask_rate`` (5%) of entries masked at random and
  imputed by :func:`estimate_risk_knn`.  The unmasked standardised data are the clean reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lrtcheck.stats.validation import (
    MAX_ENUMERATION,
    check_nonnegative,
    check_open_unit,
    check_positive,
    check_positive_int,
    check_rng,
    check_stochastic,
    check_unit,
)

from ._validation import check_flags, check_index, check_option, check_seed, finite_real_array, real_array

__all__ = ["NoisyDataset", "proof_of_concept", "estimate_risk_knn", "knn_imputed_tabular", "POC_MEANS",
           "TABULAR_SETS", "load_abalone", "ABALONE_SHA256", "ABALONE_COLUMNS"]

POC_MEANS = np.array([[-2.0, -1.0], [2.0, -1.0], [0.0, 2.0]])
TABULAR_SETS = ("wine", "diabetes", "breast_cancer", "abalone")
#: SHA-256 of the packaged UCI Abalone file (lrtcheck/data/abalone/abalone.csv; source and licence in SOURCE.md)
ABALONE_SHA256 = "add76d88a9dd9c7a9f147dd005725ce19dbfdf352877df9d28703486742d35a2"
#: the numeric columns :func:`load_abalone` returns (sex, the categorical column, is returned apart)
ABALONE_COLUMNS = ("Length", "Diameter", "Height", "Whole_weight", "Shucked_weight", "Viscera_weight",
                   "Shell_weight", "Rings")


def load_abalone() -> tuple[np.ndarray, np.ndarray]:
    """The UCI Abalone data set shipped as package data (Nash et al. 1994; UCI ML Repository, DOI 10.24432/C55C7W;
    CC BY 4.0, lrtcheck/data/abalone/SOURCE.md), used by arXiv 2402.02081 for Table 1.

    Returns ``(x, sex)``: x (4177, 8) float64, the seven physical measurements and the ring count
    (:data:`ABALONE_COLUMNS`), and sex (4177,) of 'M', 'F', 'I'.  The file's SHA-256 is checked against
    :data:`ABALONE_SHA256` on every load (a ``ValueError`` if it differs).
    """
    import csv
    import hashlib
    import io
    from importlib import resources

    raw = (resources.files("lrtcheck") / "data" / "abalone" / "abalone.csv").read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != ABALONE_SHA256:
        raise ValueError(f"the packaged abalone.csv has SHA-256 {digest}, expected {ABALONE_SHA256}")
    rows = list(csv.reader(io.StringIO(raw.decode("ascii"))))
    header, body = rows[0], rows[1:]
    if tuple(header) != ("Sex",) + ABALONE_COLUMNS:
        raise ValueError(f"unexpected abalone.csv header {header}")
    sex = np.array([r[0] for r in body])
    x = np.array([[float(v) for v in r[1:]] for r in body], dtype=np.float64)
    return x, sex


@dataclass
class NoisyDataset:
    """Noisy samples with their risk, and the clean truth.

    x : (N, D) noisy samples (what a method trains on).  risk : (N, D) per-sample per-dimension risk.
    clean : (N, D) the clean samples before corruption.  corrupted : (N,) bool, rows carrying noise.
    noise : ``gaussian``, ``cauchy`` or ``knn``.  mixture : (means, stds, weights) of the clean law when known.
    """

    x: np.ndarray
    risk: np.ndarray
    clean: np.ndarray
    corrupted: np.ndarray
    noise: str
    mixture: tuple | None = None
    info: dict = field(default_factory=dict)

    def __post_init__(self):
        # a data set is handed back to the training code: its fields are checked here, once
        self.x = finite_real_array("x", self.x, ndim=2)
        shape = self.x.shape
        self.risk = finite_real_array("risk", self.risk, ndim=2)
        if self.risk.shape != shape or np.any(self.risk < 0.0):
            raise ValueError(f"risk must be >= 0 with the shape of x {shape}, got shape {self.risk.shape}")
        self.clean = finite_real_array("clean", self.clean, ndim=2)
        if self.clean.shape != shape:
            raise ValueError(f"clean must have the shape of x {shape}, got {self.clean.shape}")
        self.corrupted = check_flags("corrupted", self.corrupted)
        if self.corrupted.shape != shape[:1]:
            raise ValueError(f"corrupted must have one flag per row of x ({shape[0]}), got {self.corrupted.shape}")
        check_option("noise", self.noise, ("gaussian", "cauchy", "knn"))
        if self.mixture is not None:
            if not isinstance(self.mixture, (tuple, list)) or len(self.mixture) != 3:
                raise ValueError(f"mixture must be None or a tuple (means, stds, weights), got {self.mixture!r}")
            means = finite_real_array("mixture", self.mixture[0], ndim=2)
            k = means.shape[0]
            stds = finite_real_array("mixture", self.mixture[1], ndim=1)
            weights = check_stochastic("mixture", finite_real_array("mixture", self.mixture[2], ndim=1))
            if means.shape[1] != shape[1] or stds.shape != (k,) or weights.shape != (k,) or np.any(stds <= 0):
                raise ValueError(f"mixture must hold means (K, {shape[1]}), stds > 0 (K,) and weights (K,), got "
                                 f"shapes {means.shape}, {stds.shape}, {weights.shape}")
            self.mixture = (means, stds, weights)
        if not isinstance(self.info, dict):
            raise ValueError(f"info must be a dict, got {type(self.info).__name__}")

    def sample_clean(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Fresh draws from the clean law (the mixture; needs ``mixture``)."""
        n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
        rng = check_rng("rng", rng)
        if self.mixture is None:
            raise ValueError("this data set has no known clean law; use .clean as the reference sample")
        means, stds, weights = self.mixture
        k = rng.choice(len(weights), size=n, p=weights)
        return means[k] + stds[k][:, None] * rng.standard_normal((n, means.shape[1]))


def proof_of_concept(n: int, *, noise: str = "gaussian", seed: int | np.random.SeedSequence = 0,
                     means=POC_MEANS, std: float = 0.35, weights=None, corrupted_component: int | None = 2,
                     corrupted_fraction: float = 0.95, r_low: float | None = None,
                     r_high: float | None = None) -> NoisyDataset:
    """The 2-D proof-of-concept mixture with part of one component corrupted (Gaussian or Cauchy noise)."""
    n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
    check_option("noise", noise, ("gaussian", "cauchy"))
    seed = check_seed("seed", seed)
    means = finite_real_array("means", means, ndim=2)
    K, D = means.shape
    std = check_positive("std", std)
    weights = np.full(K, 1.0 / K) if weights is None else finite_real_array("weights", weights, ndim=1)
    if weights.shape != (K,) or np.any(weights < 0) or not np.isclose(weights.sum(), 1.0):
        raise ValueError(f"weights must be {K} non-negative numbers summing to 1")
    if corrupted_component is not None:
        corrupted_component = check_index("corrupted_component", corrupted_component, K)
    corrupted_fraction = check_unit("corrupted_fraction", corrupted_fraction)
    default = (0.5, 1.5) if noise == "gaussian" else (0.1, 0.4)
    r_low = check_nonnegative("r_low", default[0] if r_low is None else r_low)
    r_high = check_positive("r_high", default[1] if r_high is None else r_high)
    if r_high < r_low:
        raise ValueError(f"r_high must be >= r_low (got {r_low}, {r_high})")
    rng = np.random.default_rng(seed)
    comp = rng.choice(K, size=n, p=weights)
    clean = means[comp] + std * rng.standard_normal((n, D))
    in_scope = np.ones(n, dtype=bool) if corrupted_component is None else comp == corrupted_component
    corrupted = in_scope & (rng.random(n) < corrupted_fraction)
    risk = np.where(corrupted[:, None], rng.uniform(r_low, r_high, (n, D)), 0.0)
    if noise == "gaussian":
        eps = rng.standard_normal((n, D))
    else:
        eps = rng.standard_cauchy((n, D))
    x = clean + risk * eps
    return NoisyDataset(x, risk, clean, corrupted, noise, (means.copy(), np.full(K, std), weights.copy()),
                        {"component": comp})


def estimate_risk_knn(x_missing, *, k: int = 10, risk_scale: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """KNN-median imputation and absolute-median-deviation risk for the NaN entries of ``x_missing`` (N, D)."""
    from sklearn.neighbors import NearestNeighbors

    x = real_array("x_missing", x_missing)
    if x.ndim != 2:
        raise ValueError(f"x_missing must have shape (N, D), got {x.shape}")
    if np.any(np.isinf(x)):
        raise ValueError("x_missing must not contain inf (NaN marks a missing entry)")
    k = check_positive_int("k", k)
    risk_scale = check_positive("risk_scale", risk_scale)
    miss = np.isnan(x)
    N, D = x.shape
    if np.any(miss.all(axis=1)):
        raise ValueError("x_missing has a row with every entry missing")
    if np.any((~miss).sum(axis=0) < k):
        raise ValueError(f"every column of x_missing needs at least k = {k} observed entries")
    imputed = x.copy()
    risk = np.zeros_like(x)
    rows = np.flatnonzero(miss.any(axis=1))
    if rows.size == 0:
        return imputed, risk
    n_query = min(N, 4 * k + int(miss.sum(axis=0).max()) + 1)
    nn = NearestNeighbors(n_neighbors=n_query, metric="nan_euclidean").fit(x)
    _, idx = nn.kneighbors(x[rows])
    idx = idx[:, 1:] if np.all(idx[:, 0] == rows) else idx  # drop the row itself
    for j in range(D):  # loop over features (few); vectorised over rows
        need = miss[rows, j]
        if not need.any():
            continue
        cand = idx[need]
        ok = ~miss[cand, j]
        order = np.argsort(~ok, axis=1, kind="stable")[:, :k]  # the first k neighbours with column j observed
        if not np.all(np.take_along_axis(ok, order, axis=1)):
            raise ValueError(f"fewer than k = {k} observed neighbours for column {j}; lower k")
        vals = x[np.take_along_axis(cand, order, axis=1), j]
        med = np.median(vals, axis=1)
        imputed[rows[need], j] = med
        risk[rows[need], j] = risk_scale * np.median(np.abs(vals - med[:, None]), axis=1)
    return imputed, risk


def knn_imputed_tabular(name: str = "wine", *, mask_rate: float = 0.05, k: int = 10,
                        seed: int | np.random.SeedSequence = 0, risk_scale: float = 1.0) -> NoisyDataset:
    """A bundled data set (scikit-learn's, or the packaged UCI Abalone numeric columns), standardised, 5% masked and KNN-imputed with MAD risk (arXiv 2402.02081,
    section 5.3; docs/methods/risk_sensitive.md §10)."""
    from sklearn import datasets

    loaders = {"wine": lambda: datasets.load_wine().data, "diabetes": lambda: datasets.load_diabetes().data,
               "breast_cancer": lambda: datasets.load_breast_cancer().data, "abalone": lambda: load_abalone()[0]}
    check_option("name", name, TABULAR_SETS)
    seed = check_seed("seed", seed)
    mask_rate = check_open_unit("mask_rate", mask_rate)
    raw = np.asarray(loaders[name](), dtype=np.float64)
    clean = (raw - raw.mean(axis=0)) / raw.std(axis=0)
    rng = np.random.default_rng(seed)
    mask = rng.random(clean.shape) < mask_rate
    mask[mask.all(axis=1), 0] = False
    x_missing = np.where(mask, np.nan, clean)
    try:
        imputed, risk = estimate_risk_knn(x_missing, k=k, risk_scale=risk_scale)
    except ValueError as exc:
        raise ValueError(f"mask_rate = {mask_rate!r} with k = {k!r} leaves too few observed entries: {exc}") from None
    return NoisyDataset(imputed, risk, clean, mask.any(axis=1), "knn", None,
                        {"name": name, "mask": mask, "mask_rate": mask_rate, "k": k})
