"""CPU/CUDA agreement of the LRT sampler for the same seeds (run on a GPU machine: ``python
tests/benchmarks/cuda_agreement.py``; exits 0 on agreement, 1 otherwise, 2 without CUDA).

The counter-based noise is integer-exact on both devices; log/cos/exp may differ in the last ulps, so the float64
results agree to ~1e-12, and hard-gate decisions agree except where Lambda lies within rounding of tau.
"""

import sys
import time

import numpy as np
import torch

from lrtcheck.diffusion import ConditionalGaussianMixtureHead, GaussianMixtureHead, Schedule
from lrtcheck.lrt import ContextualToy, LRTSampler, QStep


def main() -> int:
    if not torch.cuda.is_available():
        print("no CUDA device")
        return 2
    gmm = GaussianMixtureHead([[-1.5, 0.0], [1.0, 1.0], [0.0, -1.2]], [0.3, 0.5, 0.4])
    toy = ContextualToy(seed=0)
    states = toy.sample_states(100_000, np.random.default_rng(0))
    cases = {
        "gmm-hard-final": (LRTSampler, (gmm, gmm.subset([1]), Schedule.linear(50, 1e-4, 0.04)), dict(tau=0.5), None),
        "gmm-soft-rmax": (LRTSampler, (gmm, gmm.subset([1]), Schedule.vp(5)),
                          dict(gate="soft", tau=0.3, kappa=0.5, statistic="running_max"), None),
        "toy-q": (LRTSampler, (*toy.exact_heads(), Schedule.cosine(20)),
                  dict(tau=1.0, q_step=QStep(toy.critic, eta=0.3)), states),
    }
    ok = True
    for name, (cls, args, kw, st) in cases.items():
        res = {}
        for dev in ("cpu", "cuda"):
            smp = cls(*args, device=dev, **kw)
            t0 = time.perf_counter()
            res[dev] = smp.sample(st, n=100_000, seed=123)
            print(f"{name} {dev}: {time.perf_counter() - t0:.2f}s")
        da = np.max(np.abs(res["cpu"].actions - res["cuda"].actions))
        dl = np.max(np.abs(res["cpu"].final - res["cuda"].final))
        flips = int(np.sum(res["cpu"].activated != res["cuda"].activated))
        print(f"{name}: max|da|={da:.3g} max|dLambda|={dl:.3g} decision flips={flips}")
        ok &= da < 1e-9 and dl < 1e-8 and flips <= 2
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
