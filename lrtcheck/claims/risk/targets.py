"""``risk.target.unbiased``, ``risk.training.loss_exact``: the eps target is unbiased for the clean eps*, and the
training loop's loss is exactly the risk-sensitive residual at times drawn in T(r).

Claims.  For t uniform on T(r) and x~_t = u x~_0 + v(r, t) eta, the eps target ``v0 eta / v`` has conditional mean
``eps*(x~_t)``, the clean law's optimal noise predictor, when the Gaussian risk is independent of x_0 (Prop. 3.1 /
G.1 of Li, Ruiz Luyten & van der Schaar, arXiv 2402.02081; the eps form is reconstructed, docs/reconstructions.md
§4.4).  ``fit_network`` draws t in T(r) and x~_t with the closed-form u and ``v^2 = v0^2 - u^2 r^2``, and logs the
batch mean of the residual of its parameterisation and weighting: paper weight |eps - v0 eta / v|^2, |s + eta / v|^2,
|D - (x~_t - v0^2 eta / v) / u|^2; tamed weight |v s + eta|^2 (Algorithms 1 / 3; docs/methods/risk_sensitive.md §6).

World.  ``risk.target.unbiased``: Gaussian p_0 = N(m, S) with risk r ~ U(0, 1.5)^2 drawn independently of x_0
(:func:`lrtcheck.worlds.risk.gaussian_noisy_samples`), where eps*(x) = v0 C^-1 (x - u m), C = u^2 S + v0^2 I, and
the residual's conditional covariance v0^2 (diag(1 / v^2) - C^-1) are exact (``lrtcheck/risk/exact.py``).
``risk.training.loss_exact``: a recording network with the known output sin(2 x) + tau, trained in float64 on one
repeated sample (x~_0, r), against the reference kernels' closed-form coefficients.

Checks.  ``risk.target.unbiased``: per kernel, at half the share, the residuals whitened by the exact conditional
covariance are i.i.d. N(0, I) and orthogonal to features of x~_t, so the quadratic form of their projection on six
features is exactly chi-square with 12 degrees of freedom; the defect is the eps target without the v0 / v factor,
and the power is the Clopper-Pearson lower bound (at 1e-3) of the test run on exact draws of its statistic under the
defect, given the x's.  ``risk.training.loss_exact`` is exact (relative error 1e-6 on every logged loss).
"""

from __future__ import annotations

import numpy as np
from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.figures import Skip, Spec, figure
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.diffusion import Schedule
from lrtcheck.risk import VPSDE, DiscreteVP
from lrtcheck.risk.exact import gaussian_eps_star, target_residual_covariance
from lrtcheck.risk.training import training_targets
from lrtcheck.stats.decisions import (bonferroni, exact_decision, p_value_decision, simulated_power_lower_bound,
                                      split_share)
from lrtcheck.worlds.risk import (RISK_VEC, TARGET_COV, TARGET_MEAN, closed_form_coefficients, closed_form_t_low,
                                  gaussian_noisy_samples, reference_kernels)

TARGET_CLAIM = Claim(
    id="risk.target.unbiased",
    source="arXiv 2402.02081: Prop. 3.1 / G.1 (eps target sqrt(1 - ab) eta / v); docs/methods/risk_sensitive.md §6, "
    "docs/reconstructions.md §4.4",
    statement="On Gaussian data with risk independent of x_0 and t uniform on T(r), the eps target v0 eta / v has "
    "E[target | x~_t, r, t] = eps*(x~_t) of the clean law: the whitened residuals are exactly i.i.d. N(0, I) "
    "and orthogonal to every function of x~_t.",
    assumptions=("Gaussian p0 = N(m, S), Gaussian noise", "whitening by the exact conditional covariance "
                 "v0^2 (diag(1/v^2) - C^-1)"),
)

NO_FACTOR = "eps target without the v0/v factor (eta used as the clean eps)"


def residual_features(x):
    """The features the whitened residuals are projected on: 1, x_1, x_2, tanh(x_1), x_1 x_2."""
    return np.column_stack([np.ones(len(x)), x, np.tanh(x[:, 0]), x[:, 0] * x[:, 1]])


def no_factor_statistic_law(tg, eps_star, L, F):
    """Exact law, given the x's, of W = F^T z (flattened) when the target is eta (the v0 / v factor dropped): the
    whitened residual z = L^-1 (eta - eps*) is Gaussian with mean L^-1 (v E^-1 (x - u m) - eps*) and covariance
    L^-1 (I - v E^-1 v) L^-T, E = u^2 S + v0^2 I.  Returns (mean, covariance) of W."""
    Einv = np.linalg.inv((tg.u**2)[:, None, None] * TARGET_COV + tg.v0sq[:, None, None] * np.eye(2))
    v = np.sqrt(tg.v2)
    diff = tg.x_t - tg.u[:, None] * TARGET_MEAN
    mu = (v * np.einsum("nij,nj->ni", Einv, diff)) - eps_star  # E[eta | x] - eps*
    cov_def = np.eye(2)[None] - v[:, :, None] * Einv * v[:, None, :]
    Linv = np.linalg.inv(L)
    mz = np.einsum("nij,nj->ni", Linv, mu)
    cz = np.einsum("nij,njk,nlk->nil", Linv, cov_def, Linv)
    mean_w = (F.T @ mz).reshape(-1)
    cov_w = np.einsum("np,nq,nij->piqj", F, F, cz).reshape(mean_w.size, mean_w.size)
    return mean_w, cov_w


@check(TARGET_CLAIM, quick=dict(n=12000, power_draws=20000), full=dict(n=60000, power_draws=100000))
def check_target_unbiased(ctx):
    """Per kernel, at half the share, the exact chi-square test of the whitened residuals' projection on features;
    joined by Bonferroni; defect: the eps target without the v0 / v factor."""
    n = ctx.params["n"]
    rng = ctx.rng
    results, parts = {}, []
    kernels = {"discrete_vp": DiscreteVP(Schedule.linear(1000)), "vpsde": VPSDE()}
    level = split_share(ctx.false_fail_rate, len(kernels))
    for name, k in kernels.items():
        _, r, x_noisy = gaussian_noisy_samples(rng, n)
        tg = training_targets(k, x_noisy, r, rng)
        m = int(tg.usable.sum())
        eps_star = gaussian_eps_star(tg.x_t, TARGET_MEAN, TARGET_COV, tg.u, tg.v0sq)
        cov_r = target_residual_covariance(TARGET_COV, tg.u, tg.v0sq, tg.v2)
        L = np.linalg.cholesky(cov_r)
        z = np.linalg.solve(L, (tg.eps_target - eps_star)[..., None])[..., 0]
        F = residual_features(tg.x_t)
        G = F.T @ F
        W = F.T @ z  # (p, D)
        q = float(np.trace(W.T @ np.linalg.solve(G, W)))
        dof = F.shape[1] * 2
        p = float(st.chi2.sf(q, dof))
        crit = float(st.chi2.isf(level, dof))
        # power against the defect "target eta (the clean eps), the v0 / v factor dropped", conditional on the x's
        mean_w, cov_w = no_factor_statistic_law(tg, eps_star, L, F)
        g = np.random.default_rng(ctx.stream(f"power-{name}"))
        draws = g.multivariate_normal(mean_w, cov_w, size=ctx.params["power_draws"], method="cholesky")
        Wd = draws.reshape(-1, F.shape[1], 2)
        qd = np.einsum("bpd,pq,bqd->b", Wd, np.linalg.inv(G), Wd)
        power_lo = simulated_power_lower_bound(int(np.sum(qd > crit)), len(qd), 1e-3)
        noncentrality = float(mean_w @ np.linalg.solve(cov_w, mean_w))
        results[name] = {"n_usable": m, "chi2": q, "dof": dof, "p": p, "critical": crit, "power_lower": power_lo,
                         "defect_noncentrality": noncentrality}
        what = f"{name} chi-square of whitened residuals"
        # a statistic that is not finite (targets at times where v = 0) is a violation, not a p-value
        parts.append(p_value_decision(p, level, power=power_lo, statistic=q, n=m, target_defect=NO_FACTOR,
                                      defect_size=noncentrality, name=what) if np.isfinite(p) else
                     exact_decision(False, estimate=q, name=what, message=f"{what} is not finite ({q})"))
    decision = bonferroni(parts, ctx.false_fail_rate)
    return Evidence.from_decision(
        decision, n=int(sum(r["n_usable"] for r in results.values())),
        estimate=float(min(r["p"] for r in results.values())), bound=level, design_n=n,
        defect_size=float(min(r["defect_noncentrality"] for r in results.values())), details=results)


@figure(check_target_unbiased)
def target_chi2_bars(ev) -> list[Spec]:
    """Each kernel's chi-square statistic against its exact critical value."""
    names = [k for k, v in ev.details.items() if isinstance(v, dict) and "chi2" in v]
    if not names:
        raise Skip("no rows")
    return [{"kind": "bars", "title": "Unbiased ε-target: χ² of whitened residuals on features", "labels": names,
             "values": [ev.details[n]["chi2"] for n in names],
             "targets": [ev.details[n]["critical"] for n in names], "target_label": "exact χ² critical value",
             "ylabel": "χ² statistic",
             "caption": "Residuals of the risk-sensitive target are orthogonal to functions of x̃_t: the statistic "
                        "stays below the critical value."}]


# ------------------------------------------------------------------------------------------------------------------
TRAIN_CLAIM = Claim(
    id="risk.training.loss_exact",
    source="arXiv 2402.02081: Algorithm 1 / 3, Prop. 3.1 / G.1; docs/methods/risk_sensitive.md §3 and §6",
    statement="fit_network draws t in T(r) and x~_t = u x~_0 + v(r, t) eta with the closed-form u and "
    "v^2 = v0^2 - u^2 r^2, and its logged loss is the batch mean of the risk-sensitive residual: paper weight "
    "|eps - v0 eta / v|^2, |s + eta / v|^2, |D - (x~_t - v0^2 eta / v) / u|^2; tamed weight |v s + eta|^2 "
    "(eps: s = -eps / v0; denoiser: s = (u D - x~_t) / v0^2), for the discrete VP, VP SDE and VE SDE kernels.",
    assumptions=("a recording network with a known output function; float64; every sample with the same x~_0 and r",),
)


def recording_net():
    """A stand-in for TabularMLP (one member, no condition) with the known output sin(2 x) + tau, recording the
    (x~_t, tau) of every call."""
    import torch

    class _Recorder(torch.nn.Module):
        """Stands in for TabularMLP: output sin(2 x) + tau (known), inputs recorded."""

        members, cond_dim = 1, 0

        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
            self.calls = []

        def forward(self, x, tau, *args):
            out = torch.sin(2.0 * x) + tau.unsqueeze(-1) + 0.0 * self.w
            self.calls.append((x.detach().numpy().copy(), tau.detach().numpy().copy()))
            return out

    return _Recorder()


@check(TRAIN_CLAIM, stochastic=False)
def check_training_loss_exact(ctx):
    import torch

    from lrtcheck.risk.training import fit_network

    x_row = np.array([0.7, -0.4])
    r_row = RISK_VEC
    rho = float(np.max(r_row**2))
    problems, details = [], {}
    for name, k in reference_kernels().items():
        lo = float(closed_form_t_low(name, np.array([rho]))[0])
        for par in ("eps", "score", "denoiser"):
            for w in ("tamed", "paper"):
                key = f"{name}/{par}/{w}"
                net = recording_net()
                log = fit_network(net, k, np.tile(x_row, (64, 1)), np.tile(r_row, (64, 1)), steps=3, batch_size=512,
                                  seed=ctx.seed(f"fit-{key}") % (2**31), parameterization=par, weighting=w,
                                  log_every=1, dtype=torch.float64)
                worst, outside = 0.0, 0
                for (x_t, tau), logged in zip(net.calls, log.losses):
                    x_t, tau = x_t[0], tau[0]
                    t = np.round(tau * k.T) if k.discrete else tau
                    outside += int(np.sum(~((t > lo - 1e-12) & (t <= k.t_max) & (t >= (1 if k.discrete else 0)))))
                    t = np.clip(t, 1 if k.discrete else 0.0, k.t_max)
                    u2, v0sq = closed_form_coefficients(name, t)
                    u, v0sq = np.sqrt(u2)[:, None], v0sq[:, None]
                    v = np.sqrt(np.maximum(v0sq - u * u * r_row**2, 1e-300))
                    eta = (x_t - u * x_row) / v
                    o = np.sin(2.0 * x_t) + tau[:, None]
                    if w == "tamed":
                        s = -o / np.sqrt(v0sq) if par == "eps" else o if par == "score" else (u * o - x_t) / v0sq
                        res = v * s + eta
                    elif par == "eps":
                        res = o - np.sqrt(v0sq) * eta / v
                    elif par == "score":
                        res = o + eta / v
                    else:
                        res = o - (x_t - v0sq * eta / v) / u
                    want = float(np.mean(np.sum(res * res, axis=1)))
                    got = float(np.asarray(logged).reshape(-1)[0])
                    worst = max(worst, abs(got - want) / max(abs(want), 1e-12))
                details[key] = {"loss_rel_error": worst, "t_outside_T(r)": outside, "steps": len(net.calls)}
                if outside:
                    problems.append(f"{key}: {outside} training times outside T(r)")
                if not worst <= 1e-6 or len(net.calls) != 3:
                    problems.append(f"{key}: loss differs from the closed form (relative error {worst:.3g})")
    decision = exact_decision(not problems, estimate=max(d["loss_rel_error"] for d in details.values()), bound=1e-6,
                              name="logged loss = closed-form residual", message="; ".join(problems[:4]))
    return Evidence.from_decision(decision, details=details)


# ------------------------------------------------------------------------------------------------------------------
_TRAIN = "lrtcheck.risk.training"
_LOSS = ("risk.training.loss_exact", "risk.zero_risk")

MUTANTS = [
    Mutant("risk.fit_time_full_range", f"{_TRAIN}:fit_network",
           "the training loop draws t uniformly on [0, T] as in vanilla training: the per-sample left end of T(r) "
           "is computed (for 'usable') but not used for the draw",
           source_edit(("tt(psi.reshape(M, N, D)), tt(low), tt(weight)",
                        "tt(psi.reshape(M, N, D)), tt(np.full_like(low, 1.0 if kernel.discrete else kernel.t_eps)), "
                        "tt(weight)")),
           ("risk.training.loss_exact",), tags=("ci",)),
    Mutant("risk.fit_v_is_variance", f"{_TRAIN}:fit_network",
           "x~_t built with v^2 where v is meant: x_t = u x~_0 + v^2 eta",
           source_edit(("x_t = u * xb + v2.sqrt() * eta", "x_t = u * xb + v2 * eta")),
           ("risk.training.loss_exact",), tags=("ci",)),
    Mutant("risk.eps_target_no_factor", f"{_TRAIN}:training_targets",
           "the eps target left as eta (the clean-training target) without the factor sqrt(1 - ab_t) / v(r, t)",
           source_edit(("np.sqrt(v0sq)[:, None] * eta / np.sqrt(v2)", "eta")),
           ("risk.target.unbiased",), tags=("ci",), declares=("risk.target.unbiased",)),
    Mutant("risk.paper_eps_residual_no_factor", f"{_TRAIN}:denoising_residual",
           "the paper-weighted eps loss regressing on eta instead of sqrt(1 - ab_t) eta / v(r, t) (identical at r = 0)",
           source_edit(("return output - sqrt(v0sq) * eta / v", "return output - eta")),
           _LOSS, tags=("ci",)),
    Mutant("risk.tamed_weight_inverted", f"{_TRAIN}:denoising_residual",
           "the tamed weight v^2 / (1 - ab_t) inverted to (1 - ab_t) / v^2 (identical at r = 0)",
           source_edit(("return eta - (v / sqrt(v0sq)) * output",
                        "return (sqrt(v0sq) / v) * (sqrt(v0sq) * eta / v - output)")),
           _LOSS, tags=("ci",)),
    Mutant("risk.denoiser_target_v2", f"{_TRAIN}:denoising_residual",
           "the paper-weighted Tweedie target written (x_t - v0^2 eta / v^2) / u (v^2 where v is meant)",
           source_edit(("return output - (x_t - v0sq * eta / v) / u", "return output - (x_t - v0sq * eta / v2) / u")),
           _LOSS, tags=("ci",)),
]
