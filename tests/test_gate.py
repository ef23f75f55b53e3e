"""The certification gate: every registered check of the tier, run through the pytest plugin.

Tier, seed and budget come from ``--lrtcheck-tier``, ``--lrtcheck-seed`` and ``--lrtcheck-budget``.
"""


def test_certification_gate(lrtcheck_check_id, lrtcheck_gate):
    result = lrtcheck_gate.run(lrtcheck_check_id)
    assert result.passed, result.describe()
