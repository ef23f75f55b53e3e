"""Learned-model worlds of Risk-Sensitive Diffusion (arXiv 2402.02081, section 5): data, the variants trained on it,
the samples they draw, and their distances to the clean law.

* :func:`proof_of_concept_variants`: the 2-D proof-of-concept mixture (§5.1, Figs. 3-4; ``proof_of_concept``) drawn
  once per seed, every (variant, seed) pair trained as one member of a single VP-SDE ensemble, sampled, and measured
  against fresh draws of the known clean mixture.
* :func:`tabular_variants`: a bundled scikit-learn data set, 5% masked and KNN-imputed with MAD risk (§5.3, Tables
  1-2; ``knn_imputed_tabular``), the standard, risk-sensitive, oracle and risk-conditional models trained on it,
  sampled, and measured against the unmasked data.

Sample quality is the sliced Wasserstein-1 distance, the unbiased RBF MMD^2 and (tabular) the exact empirical W1
(docs/methods/risk_sensitive.md §8-§10).  The random streams are named (``streams.stream(name)`` gives a
``SeedSequence``, ``streams.seed(name)`` an integer seed), so every data set, initialisation, training run,
sampling run, reference sample and projection has its own stream and the numbers do not depend on the order in
which they are made.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from lrtcheck.risk import VPSDE
from lrtcheck.risk.data import NoisyDataset, knn_imputed_tabular, proof_of_concept
from lrtcheck.risk.metrics import empirical_wasserstein, mmd_rbf, sliced_wasserstein
from lrtcheck.risk.models import (RiskConditionalDiffusion, RiskRegressorDiffusion, RiskSensitiveDiffusion,
                                  RiskVariableDiffusion)

__all__ = ["NamedStreams", "LearnedVariants", "proof_of_concept_variants", "tabular_variants", "abalone_variants"]


class NamedStreams(Protocol):
    """Named random streams: ``stream(name)`` a ``numpy.random.SeedSequence``, ``seed(name)`` an integer seed."""

    def stream(self, name: str) -> np.random.SeedSequence: ...

    def seed(self, name: str) -> int: ...


@dataclass(frozen=True)
class LearnedVariants:
    """What a learned-model world measured.

    distances : variant name -> per-seed sample-quality arrays (``"sw1"`` and ``"mmd"``; the tabular world adds
        ``"w1"`` and the means ``"w1_mean"``, ``"sw1_mean"``, ``"mmd_mean"``), one entry per seed.
    datasets : the noisy data sets, one per seed.
    """

    distances: dict[str, dict[str, Any]]
    datasets: list[NoisyDataset]


def proof_of_concept_variants(streams: NamedStreams, noise: str, variants: dict, seeds: int, params: dict,
                              poc_kwargs: dict, device: str = "cpu") -> LearnedVariants:
    """Train every (variant, seed) pair as one member of a risk-sensitive VP-SDE ensemble on the proof-of-concept
    mixture; return each variant's per-seed SW1 and MMD^2 to fresh clean draws.

    ``variants``: name -> (data, risk multiplier), data ``"noisy"`` or ``"clean"``, multiplier None for the standard
    model (r = 0: trained as if clean) or m (trained with risk m r: 1 is the risk-sensitive model, 0.5 and 2
    mis-specify it).  The variant ``("clean", None)`` is the oracle.  ``poc_kwargs`` go to ``proof_of_concept``
    (``corrupted_component``, ``corrupted_fraction``); the data set of seed s is drawn from stream ``data-s``.
    ``params``: ``n_train``, ``n_eval``, ``hidden``, ``depth``, ``steps``, ``batch_size``, ``lr``, ``sample_steps``,
    and ``conditional`` (with ``guidance``) to add the risk-conditional baseline as the variant
    ``"risk_conditional"``.  Each member draws ``n_eval`` samples; the reference of seed s is ``n_eval`` fresh draws
    of the clean mixture (stream ``ref-s``); the SW1 projections use seed ``proj-s``; the MMD^2 uses the first 1000
    points of each.
    """
    p = params
    datasets = [proof_of_concept(p["n_train"], noise=noise, seed=streams.stream(f"data-{s}"), **poc_kwargs)
                for s in range(seeds)]
    kernel = VPSDE(noise=noise)
    names = list(variants)
    X, R = [], []
    for name in names:
        src, mult = variants[name]
        for d in datasets:
            X.append(d.clean if src == "clean" else d.x)
            R.append(np.zeros_like(d.risk) if mult is None else mult * d.risk)
    common = dict(hidden=p["hidden"], depth=p["depth"], steps=p["steps"], batch_size=p["batch_size"],
                  lr=p["lr"], sample_steps=p["sample_steps"], device=device)
    model = RiskSensitiveDiffusion(kernel, members=len(X), seed=streams.seed("train"), **common)
    model.fit(np.stack(X), np.stack(R))
    samples = model.sample(p["n_eval"], seed=streams.seed("sample"))
    out = {}
    if p.get("conditional"):
        cond = RiskConditionalDiffusion(kernel, guidance=p["guidance"], members=seeds,
                                        seed=streams.seed("train-cond"), **common)
        cond.fit(np.stack([d.x for d in datasets]), np.stack([d.risk for d in datasets]))
        csamp = cond.sample(p["n_eval"], seed=streams.seed("sample-cond"))
        names = names + ["risk_conditional"]
        samples = np.concatenate([samples, csamp])
    for i, name in enumerate(names):
        sw, mm = [], []
        for s, d in enumerate(datasets):
            ref = d.sample_clean(p["n_eval"], np.random.default_rng(streams.stream(f"ref-{s}")))
            smp = samples[i * seeds + s]
            sw.append(sliced_wasserstein(smp, ref, seed=streams.seed(f"proj-{s}")))
            mm.append(mmd_rbf(smp[:1000], ref[:1000]))
        out[name] = {"sw1": np.array(sw), "mmd": np.array(mm)}
    return LearnedVariants(out, datasets)


def tabular_variants(streams: NamedStreams, name: str, seeds: int, params: dict,
                     device: str = "cpu") -> LearnedVariants:
    """The standard model (r = 0 on the imputed data), the risk-sensitive model (MAD risk), the oracle (unmasked
    data) and the risk-conditional baseline, one member per seed, on the bundled data set ``name`` masked with
    stream ``mask-s``; each draws as many samples as the data set has rows and is measured against the unmasked data
    (exact empirical W1, SW1 with seed ``proj-s``, MMD^2).

    ``params``: ``hidden``, ``steps``, ``sample_steps``, ``guidance`` (depth 3, batch 256, learning rate 2e-3).
    """
    p = params
    data = [knn_imputed_tabular(name, seed=streams.stream(f"mask-{s}")) for s in range(seeds)]
    kernel = VPSDE()
    common = dict(hidden=p["hidden"], depth=3, steps=p["steps"], batch_size=256, lr=2e-3,
                  sample_steps=p["sample_steps"], device=device)
    X = [d.x for d in data] + [d.x for d in data] + [d.clean for d in data]
    R = [0 * d.risk for d in data] + [d.risk for d in data] + [0 * d.risk for d in data]
    model = RiskSensitiveDiffusion(kernel, members=3 * seeds, seed=streams.seed("train"), **common).fit(
        np.stack(X), np.stack(R))
    n = data[0].clean.shape[0]
    smp = model.sample(n, seed=streams.seed("sample"))
    cond = RiskConditionalDiffusion(kernel, guidance=p["guidance"], members=seeds, seed=streams.seed("train-c"),
                                    **common).fit(np.stack([d.x for d in data]), np.stack([d.risk for d in data]))
    csmp = cond.sample(n, seed=streams.seed("sample-c"))
    groups = {"standard": smp[:seeds], "risk_sensitive": smp[seeds:2 * seeds], "oracle": smp[2 * seeds:],
              "risk_conditional": csmp}
    res = {}
    for variant, g in groups.items():
        w = [empirical_wasserstein(g[s], data[s].clean) for s in range(seeds)]
        sw = [sliced_wasserstein(g[s], data[s].clean, seed=streams.seed(f"proj-{s}")) for s in range(seeds)]
        mm = [mmd_rbf(g[s], data[s].clean) for s in range(seeds)]
        res[variant] = {"w1_mean": float(np.mean(w)), "sw1_mean": float(np.mean(sw)), "mmd_mean": float(np.mean(mm)),
                        "w1": w, "sw1": sw, "mmd": mm}
    return LearnedVariants(res, data)


def abalone_variants(streams: NamedStreams, seeds: int, params: dict, device: str = "cpu") -> LearnedVariants:
    """Table 1's protocol on the packaged UCI Abalone data (arXiv 2402.02081, section 5.3): per seed, the eight
    numeric columns standardised, 5% of the entries masked at random (stream ``mask-s``) and KNN-10 median-imputed
    with the neighbours' absolute median deviation as the risk (``knn_imputed_tabular("abalone")``); ``n_ref`` rows
    held out (stream ``split-s``) as the clean reference, the models trained on the other rows: the standard model
    (r = 0 on the imputed rows), the risk-sensitive model (MAD risk), the oracle (the same rows unmasked) and the
    three baselines of Table 1: risk-conditional (guidance on the conditioning), risk variable (the joint model of
    (x~, r) guided towards r = 0) and risk regressor (the standard model guided by a softplus regressor of r;
    :mod:`lrtcheck.risk.models`).  Each draws ``n_ref`` samples; the distance is the exact empirical W1 to the held-out
    clean rows; ``floor`` is the W1 between ``n_ref`` clean training rows and the reference (the metric's
    clean-against-clean value, the scale below which no model can be told apart).

    ``params``: ``n_ref``, ``hidden``, ``steps``, ``sample_steps``, ``guidance`` (depth 3, batch 256, learning rate
    2e-3, VP SDE).
    """
    p = params
    n_ref = int(p["n_ref"])
    data = [knn_imputed_tabular("abalone", seed=streams.stream(f"mask-{s}")) for s in range(seeds)]
    splits = [np.random.default_rng(streams.stream(f"split-{s}")).permutation(d.clean.shape[0]) for s, d in
              enumerate(data)]
    ref = [d.clean[idx[:n_ref]] for d, idx in zip(data, splits)]
    train = [idx[n_ref:] for idx in splits]
    kernel = VPSDE()
    common = dict(hidden=p["hidden"], depth=3, steps=p["steps"], batch_size=256, lr=2e-3,
                  sample_steps=p["sample_steps"], device=device)
    X = [d.x[t] for d, t in zip(data, train)] * 2 + [d.clean[t] for d, t in zip(data, train)]
    R = [0 * d.risk[t] for d, t in zip(data, train)] + [d.risk[t] for d, t in zip(data, train)] + \
        [0 * d.risk[t] for d, t in zip(data, train)]
    model = RiskSensitiveDiffusion(kernel, members=3 * seeds, seed=streams.seed("train"), **common).fit(
        np.stack(X), np.stack(R))
    smp = model.sample(n_ref, seed=streams.seed("sample"))
    cond = RiskConditionalDiffusion(kernel, guidance=p["guidance"], members=seeds, seed=streams.seed("train-c"),
                                    **common).fit(np.stack([d.x[t] for d, t in zip(data, train)]),
                                                  np.stack([d.risk[t] for d, t in zip(data, train)]))
    csmp = cond.sample(n_ref, seed=streams.seed("sample-c"))
    noisy = np.stack([d.x[t] for d, t in zip(data, train)])
    risk = np.stack([d.risk[t] for d, t in zip(data, train)])
    var = RiskVariableDiffusion(kernel, guidance=p["guidance"], members=seeds, seed=streams.seed("train-v"),
                                **common).fit(noisy, risk)
    vsmp = var.sample(n_ref, seed=streams.seed("sample-v"))
    reg = RiskRegressorDiffusion(kernel, guidance=p["guidance"], members=seeds, seed=streams.seed("train-r"),
                                 **common).fit(noisy, risk)
    rsmp = reg.sample(n_ref, seed=streams.seed("sample-r"))
    groups = {"standard": smp[:seeds], "risk_sensitive": smp[seeds:2 * seeds], "oracle": smp[2 * seeds:],
              "risk_conditional": csmp, "risk_variable": vsmp, "risk_regressor": rsmp,
              "floor": np.stack([d.clean[t[:n_ref]] for d, t in zip(data, train)])}
    res = {}
    for variant, g in groups.items():
        w = [empirical_wasserstein(g[s], ref[s]) for s in range(seeds)]
        res[variant] = {"w1_mean": float(np.mean(w)), "w1": [float(v) for v in w]}
    return LearnedVariants(res, data)
