"""Timing of the exact Le Cam computations: TV by enumeration, and the exact risk of the certified rule."""

from lrtcheck.lecam import certified_rule, exact_risk, model_bias_pair, two_point_tv


def test_bench_two_point_tv_n1000(benchmark):
    tv = benchmark(two_point_tv, 1000, 0.05, 0.5, 0.6)
    assert 0.0 < tv < 1.0


def test_bench_exact_risk_certified_n1000(benchmark):
    prob = model_bias_pair(1000, 0.05, 0.2)
    prob.tv  # cache the divergences outside the timed call
    res = benchmark(exact_risk, certified_rule(0.05), prob)
    assert res.worst >= res.lower_bound
