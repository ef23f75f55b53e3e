"""An LRT-gated sampler on diffusers' ``DDPMScheduler`` (lrtcheck.adapters.diffusers_sampler), certified by the 11
``lrt.sampler`` checks; with diffusers' default ``clip_sample=True`` the exact final-action law rejects it."""

import pytest

pytest.importorskip("diffusers", reason="diffusers is a test dependency ([test] extras)")

from lrtcheck.adapters.diffusers_sampler import diffusers_lrt_factory  # noqa: E402
from lrtcheck.certify.subjects import parametrize_with_checks  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::DeprecationWarning")


@parametrize_with_checks(diffusers_lrt_factory())
def test_a_ddpm_scheduler_sampler_is_certified(lrtcheck_subject, lrtcheck_subject_check, lrtcheck_gate):
    result = lrtcheck_gate.run(lrtcheck_subject_check, subject=lrtcheck_subject)
    assert result.passed, result.describe()


def test_clip_sample_breaks_the_gaussian_law(lrtcheck_gate):
    result = lrtcheck_gate.run("lrt.actions.exact_gaussian", subject=diffusers_lrt_factory(clip_sample=True),
                               record=False)
    assert not result.passed and result.outcome == "violates the claim", result.describe()
    assert "diffusers_lrt_factory(clip_sample=True)" in result.subject
