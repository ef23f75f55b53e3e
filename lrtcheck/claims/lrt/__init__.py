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
