"""Training throughput of risk-sensitive vs standard training (the seed says the overhead was never quantified).

Each benchmark times ``STEPS`` optimiser steps of the same TabularMLP on the same data; the risk-sensitive variant
adds the per-sample stability interval, the per-dimension v(r, t) and the tamed weight.  Steps per second =
STEPS / mean time; the overhead ratio is the ratio of the two means (pytest-benchmark's comparison table).
"""

import numpy as np
import pytest
import torch

from lrtcheck.risk import VPSDE
from lrtcheck.risk.network import TabularMLP
from lrtcheck.risk.training import fit_network

STEPS = 50

DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda, pytest.mark.skipif(
    not torch.cuda.is_available(), reason="needs a CUDA device")])]


def _data(n=4096, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, d))
    r = np.where(rng.random((n, 1)) < 0.5, rng.uniform(0.2, 1.5, (n, d)), 0.0)
    return x, r


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["standard", "risk_sensitive"])
def test_bench_training_steps(benchmark, device, mode):
    x, r = _data()
    net = TabularMLP(x.shape[1], 128, 3, 16)
    risk = r if mode == "risk_sensitive" else None

    def run():
        fit_network(net, VPSDE(), x, risk, steps=STEPS, batch_size=256, device=device, log_every=0)

    benchmark.extra_info["steps"] = STEPS
    benchmark.pedantic(run, rounds=5, warmup_rounds=1)
    benchmark.extra_info["steps_per_second"] = STEPS / benchmark.stats.stats.mean
