"""LRT-Diffusion benchmarks: denoising steps/s (batch x T), fused vs separate head forwards, 1e6-draw calibration.

Run with ``pytest tests/benchmarks/test_bench_lrt.py --benchmark-only``.  ``extra_info["steps_per_s"]`` is the number
of sample-steps per second (batch * T / time).  CUDA variants are skipped without a CUDA device.
"""

import math

import numpy as np
import pytest
import torch

from lrtcheck.diffusion import GaussianMixtureHead, Schedule, TwoHeadDenoiser
from lrtcheck.lrt import LRTSampler, calibrate_threshold

HAS_CUDA = torch.cuda.is_available()
DEVICES = ["cpu", pytest.param("cuda", marks=[pytest.mark.cuda,
                                             pytest.mark.skipif(not HAS_CUDA, reason="no CUDA device")])]
GMM = GaussianMixtureHead([[-1.5, 0.0], [1.0, 1.0], [0.0, -1.2]], [0.3, 0.5, 0.4])


def _sampler(T, device):
    return LRTSampler(GMM, GMM.subset([1]), Schedule.linear(T, 1e-4, 0.02 * 100 / T), tau=0.5, device=device,
                      batch_size=1 << 18 if device == "cpu" else 1 << 20)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("T", [5, 50, 100])
@pytest.mark.parametrize("batch", [1_000, 100_000, 1_000_000])
def test_denoising_steps_per_second(benchmark, batch, T, device):
    if device == "cpu" and batch * T > 100_000_000:
        pytest.skip(f"CPU batch {batch} x T {T} takes minutes per round; run it on CUDA")
    smp = _sampler(T, device)
    rounds = 1 if batch * T >= 5_000_000 else 3
    benchmark.pedantic(lambda: smp.sample(n=batch, seed=1), rounds=rounds, iterations=1, warmup_rounds=0)
    benchmark.extra_info["steps_per_s"] = batch * T / benchmark.stats.stats.mean


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["fused", "separate"])
def test_fused_vs_separate_heads(benchmark, mode, device):
    torch.manual_seed(0)
    model = TwoHeadDenoiser(2, 4, hidden=256, depth=3).to(device).eval()
    s = torch.randn(65536, 4, device=device)
    a = torch.randn(65536, 2, device=device)

    def run():
        with torch.no_grad():
            if mode == "fused":
                out = model(s, a, 7)
            else:
                out = (model.eps_u(s, a, 7), model.eps_c(s, a, 7))
            if device == "cuda":
                torch.cuda.synchronize()
            return out

    benchmark.pedantic(run, rounds=5, iterations=1, warmup_rounds=1)


@pytest.mark.parametrize("device", DEVICES)
def test_null_calibration_1e6(benchmark, device):
    smp = LRTSampler(GMM, GMM.subset([1]), Schedule.vp(5), device=device, batch_size=1 << 18)

    def run():
        return calibrate_threshold(smp.null_statistics(1_000_000, seed=2), 0.05)

    cal = benchmark.pedantic(run, rounds=1, iterations=1, warmup_rounds=0)
    assert math.isfinite(cal.tau) and cal.n == 1_000_000
