"""``csar.logit.transport``, ``csar.logit.radius_cap``: the logit certificate transports a probability interval
exactly, and its printed radius does not always certify.

Claims.  The certificate of ``[p_lo, p_hi]`` is ``[z_lo, z_hi] = [logit p_lo + c, logit p_hi + c]``,
``ell_hat = clip_L((z_lo + z_hi)/2)`` and ``eps = min(L, (z_hi - z_lo)/2)`` (C-SAR paper §3 and §5;
docs/methods/csar.md §4); when ``[z_lo, z_hi]`` lies in ``[-L, L]`` the radius is tight.  The paper's lemma (§6)
says that ``z in [z_lo, z_hi]`` implies ``|clip_L(z) - ell_hat| <= eps``: it fails once the half-width exceeds L,
while the sound radius ``min(max(clip_L(z_hi) - ell_hat, ell_hat - clip_L(z_lo)), (z_hi - z_lo)/2)`` always
certifies (docs/methods/csar.md §4, docs/paper_errors.md §1.1).

World.  Random intervals (and offsets) over the whole unit square, one-sided and two-sided infinite ends included.

Checks.  Exact: the transport against a hand-computed logit, the midpoint against its clip, tightness at and just
beyond both ends; ``csar.logit.radius_cap`` (``fails``) exhibits the counter-example ``[0, 0.6]``, ``L = 1``,
``z = 0.3`` and shows that the sound radius certifies every point of every interval on a grid.
"""

from __future__ import annotations

import numpy as np

from lrtcheck.certify import FAILS, Claim, Evidence, check
from lrtcheck.certify.figures import detail, finding, fmt
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.csar import logit_certificate
from lrtcheck.stats.decisions import exact_decision

TRANSPORT = Claim(
    id="csar.logit.transport",
    source="C-SAR paper §3 and §5 (ell_hat = clip_L(mid), eps = min(L, half-width)); docs/methods/csar.md §4",
    statement="The logit certificate transports [p_lo, p_hi] to [logit p_lo + c, logit p_hi + c]; its midpoint is "
    "clipped to [-L, L]; when the transported interval lies in [-L, L] the seed radius is tight: the certified "
    "event holds at both ends of the interval and fails just outside them.",
)


@check(TRANSPORT, quick=dict(cases=2000), full=dict(cases=20000), stochastic=False)
def check_logit_transport(ctx):
    """Exact: transport and midpoint to 1e-9, no radius that is not tight inside ``[-L, L]``, far midpoints clipped
    to exactly ``+-L`` and flagged, and enough intervals inside ``[-L, L]`` for the tightness test to bite."""
    rng = ctx.rng
    m = ctx.params["cases"]
    L = 3.0
    lo = rng.uniform(0.02, 0.98, m)
    hi = lo + (0.98 - lo) * rng.random(m)
    c = rng.uniform(-1.0, 1.0, m)
    cert = logit_certificate(lo, hi, clip=L, offset=c)
    z_lo = np.log(lo) - np.log1p(-lo) + c
    z_hi = np.log(hi) - np.log1p(-hi) + c
    err_transport = float(max(np.max(np.abs(cert.z_low - z_lo)), np.max(np.abs(cert.z_high - z_hi))))
    mid = (z_lo + z_hi) / 2
    err_mid = float(np.max(np.abs(cert.ell_hat - np.clip(mid, -L, L))))
    inside = (z_lo >= -L) & (z_hi <= L)
    eta = 1e-6 * (1 + np.abs(z_hi) + np.abs(z_lo))
    at_ends = cert.covers(z_lo) & cert.covers(z_hi)
    beyond = cert.covers(z_lo - eta) | cert.covers(z_hi + eta)
    not_tight = int(np.sum(inside & (~at_ends | beyond)))
    # intervals whose midpoint lies beyond L: the midpoint is clipped to exactly +-L and flagged
    far = logit_certificate(np.array([0.995, 0.001]), np.array([0.9999, 0.004]), clip=L)
    clip_ok = bool(np.array_equal(far.ell_hat, [L, -L]) and np.all(far.clipped))
    ok = err_transport < 1e-9 and err_mid < 1e-9 and not_tight == 0 and clip_ok and int(inside.sum()) > m // 10
    decision = exact_decision(ok, estimate=not_tight, bound=0, n=m, name="radii not tight",
                              message=f"transport error {err_transport:.3g}, midpoint error {err_mid:.3g}, "
                              f"{not_tight} radii not tight, clipping ok {clip_ok}")
    return Evidence.from_decision(decision, details={
        "max_error_transport": err_transport, "max_error_midpoint": err_mid, "intervals_inside_L": int(inside.sum()),
        "not_tight": not_tight, "clipped_midpoints": far.ell_hat.tolist(), "clip_ok": clip_ok})


# --------------------------------------------------------------------------------------------------------------
RADCAP = Claim(
    id="csar.logit.radius_cap",
    source="C-SAR paper §6 (lemma: interval coverage implies |clip_L(z) - ell_hat| <= min(L, width/2)); "
    "docs/methods/csar.md §4; docs/paper_errors.md §1.1",
    statement="If z lies in [z_lo, z_hi] then |clip_L(z) - clip_L(mid)| <= min(L, (z_hi - z_lo)/2).",
    expectation=FAILS,
)


@check(RADCAP, quick=dict(grid=400), full=dict(grid=4000), stochastic=False)
def check_radius_cap(ctx):
    """Exact: the counter-example, and the sound radius certifying a random point of every interval of a grid
    (both needed for the violation to count: a sound radius that fails would be a bug, not a finding)."""
    L = 1.0
    cert = logit_certificate([0.0], [0.6], clip=L)
    z = 0.3  # inside [-inf, logit(0.6)]
    gap = abs(min(L, max(-L, z)) - cert.ell_hat[0])
    counter = bool(cert.interval_covers([z])[0]) and gap > cert.radius[0]
    rng = ctx.rng
    lo = rng.random(ctx.params["grid"]) ** 3
    hi = lo + (1 - lo) * rng.random(lo.shape[0])
    lo[::7] = 0.0
    hi[::11] = 1.0
    sound = logit_certificate(lo, hi, clip=L, radius="sound")
    zz = sound.z_low + (np.minimum(sound.z_high, 50) - np.maximum(sound.z_low, -50)) * rng.random(lo.shape[0])
    zz = np.where(np.isinf(sound.z_low), np.minimum(sound.z_high, 50) - 10 * rng.random(lo.shape[0]), zz)
    inside = sound.interval_covers(zz)
    sound_ok = bool(np.all(sound.covers(zz)[inside]))
    seed_fail = int(np.sum(~logit_certificate(lo, hi, clip=L).covers(zz)[inside]))
    # the claim holds unless the counter-example is exhibited while the sound radius certifies (a sound radius that
    # fails is a bug of the implementation, reported as such)
    sound = exact_decision(sound_ok, name="sound radius certifies", message="the sound radius failed to certify (bug)")
    decision = exact_decision(not (counter and sound.holds), estimate=gap, bound=float(L), name="counter-example")
    return Evidence.from_decision(
        decision, message=sound.message,
        details={"counterexample": {"p": [0.0, 0.6], "z": z, "ell_hat": float(cert.ell_hat[0]),
                                    "radius": float(cert.radius[0])},
                 "sound_radius_always_certifies": sound_ok, "seed_radius_failures_on_grid": seed_fail})


@finding(check_radius_cap)
def radius_cap_finding(ev):
    c = detail(ev, "counterexample")
    return (f"interval coverage does not imply the certified event: for p ∈ {c['p']} and z = {c['z']}, "
            f"|clip(z) − ℓ̂| = {fmt(ev.estimate)} exceeds the radius {fmt(c['radius'])}; the sound radius always "
            f"certifies.")


# --------------------------------------------------------------------------------------------------------------
_T = "lrtcheck.csar.logit:logit_certificate"
MUTANTS = [
    Mutant("csar.certificate_offset_subtracted", _T,
           "the logit offset subtracted from the transported interval instead of added",
           source_edit(('off = finite_array("offset", offset)', 'off = -finite_array("offset", offset)')),
           ("csar.prior.*", "csar.logit.transport"), tags=("ci",)),
    Mutant("csar.clip_skipped", _T,
           "clipping at L skipped when building the certificate (midpoint and radius of the raw interval)",
           source_edit(("L = _clip_level(clip)", "_clip_level(clip)\nL = math.inf")), ("csar.logit.*",),
           tags=("ci",)),
    Mutant("csar.radius_not_halved", _T,
           "the radius taken as the full width z_hi - z_lo instead of half of it",
           source_edit(("np.where(point, 0.0, 0.5 * z_hi - 0.5 * z_lo)", "np.where(point, 0.0, z_hi - z_lo)")),
           ("csar.logit.*",), tags=("ci",)),
]
