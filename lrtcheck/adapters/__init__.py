"""Thin adapters that put implementations in the shapes users already have into the protocols of lrtcheck's
subject kinds (:mod:`lrtcheck.certify.protocols`).

- :class:`ProbaVennAbers`: a scikit-learn-style Venn-Abers calibrator (``fit(p_cal, y)`` on ``(n, 2)``
  probabilities, ``predict_proba(p_test) -> (p_prime, p0_p1)``, as the ``venn-abers`` package and MAPIE's
  ``mapie._venn_abers.VennAbers``) as a ``csar.venn_abers`` subject.
- :class:`RegressorConformal`: a split-conformal regressor conformalized on the scores ``u(x)`` (MAPIE's
  ``SplitConformalRegressor(prefit=True)`` over the identity estimator) as a ``csar.conformal`` subject.
- :func:`lrtcheck.adapters.diffusers_sampler.diffusers_lrt_factory`: an LRT-gated sampler on diffusers'
  ``DDPMScheduler`` as an ``lrt.sampler`` subject (imported from its module: it needs torch and diffusers).

The adapters import nothing of the libraries they wrap: the user passes the library's object (or a factory of it).
"""

from .calibrators import ProbaVennAbers, RegressorConformal

__all__ = ["ProbaVennAbers", "RegressorConformal"]
