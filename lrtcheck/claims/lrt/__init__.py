"""Claims of LRT-Diffusion (arXiv 2510.24983): null laws, power, calibration, configuration binding, gate, Q-step,
running max, heads, misspecification, learned pipeline, OOD.

One topic module per group of claims (docs/writing-a-check.md); the worlds they run in are in
:mod:`lrtcheck.worlds.lrt`, the formulas in docs/methods/lrt_diffusion.md and docs/methods/diffusion.md.

The subject of the sampler checks (``subject="lrt.sampler"``) is a sampler *factory*
``factory(background, good, schedule, **settings)`` returning an object with ``sample(states, *, seed, n, null)``
(``.final``, ``.running_max``, ``.statistic`` arrays) and ``null_statistics(n, *, seed, states=None)``, with the
keyword settings of :class:`lrtcheck.lrt.LRTSampler`; the default subject is ``LRTSampler`` itself.
"""

#: the paper, as every claim of the family cites it
PAPER = "LRT-Diffusion (Sun & Cheng), arXiv 2510.24983"


def _probe_world():
    """The tiny world in which a user's ``lrt.sampler`` factory is probed before any check runs: two 2-d Gaussian
    heads and a 3-step linear schedule (lrtcheck.certify.protocols)."""
    import numpy as np

    from lrtcheck.diffusion import GaussianMixtureHead, Schedule

    return (GaussianMixtureHead(np.zeros(2), 0.5), GaussianMixtureHead(np.array([0.5, -0.3]), 0.5),
            Schedule.linear(3, 1e-4, 0.2))


def _register_probe():
    from lrtcheck.certify.protocols import register_probe_world

    register_probe_world("lrt.sampler", _probe_world)


_register_probe()
