"""MAPIE 1.6's split-conformal regressor as a ``csar.conformal`` subject (identity estimator on the score, absolute
residual): its rank ``ceil((n+1)(1-delta))`` is computed in floating point, one too high where the float product
lands just above an integer: (n, delta) = (8, 1/3) (rank 7 for 6), (35, 1/3), (92, 1/3)."""


import numpy as np
import pytest

from lrtcheck.adapters import RegressorConformal
from lrtcheck.certify.registry import get
from lrtcheck.certify.runner import run_check
from lrtcheck.stats import conformal_rank

regression = pytest.importorskip("mapie.regression", reason="MAPIE is a test dependency ([test] extras)")


def _mapie(delta=0.1):
    return RegressorConformal(regression.SplitConformalRegressor, delta=delta,
                              name="mapie.regression.SplitConformalRegressor")


@pytest.mark.parametrize(("n", "delta"), [(8, 1 / 3), (35, 1 / 3), (92, 1 / 3)])
def test_mapie_rank_is_one_too_high_where_the_float_misleads(n, delta):
    rng = np.random.default_rng(n)
    u = rng.random(n)
    y = (rng.random(n) < u**2).astype(float)
    a = np.sort(np.abs(y - u))
    k = conformal_rank(n, delta)
    assert _mapie(delta).fit(u, y).threshold_ == a[k]  # the (k+1)-th smallest residual, not the k-th


def test_the_registered_check_rejects_mapie_as_valid_but_conservative():
    """The check draws (n, delta) over rational edge cases, where MAPIE's float ceil takes one rank too many."""
    res = run_check(get("csar.conformal.coverage"), subject=_mapie(), tier="quick")
    assert not res.passed and res.outcome == "violates the claim", res.describe()
    assert "valid but conservative" in res.describe()
