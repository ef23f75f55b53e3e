"""Figure builders: valid plot specs from real quick-tier runs, attached to the results (never to the evidence),
robustness to missing data, the figures sidecar and the report they make."""

import json
import re
import shutil
import subprocess
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from lrtcheck.certify import Evidence, run_checks, select
from lrtcheck.certify.registry import all_checks, get
from lrtcheck.certify.figures import attach_figures, build_figures, registered, validate_spec
from lrtcheck.report.plots import render_spec

# fast quick-tier checks (well under 2 s each) covering every per-check and group builder but the slow ones below
FAST = [
    "lrt.null.exact_gaussian[posterior]", "lrt.calibration.rank_exact", "lrt.calibration.dkw", "lrt.ump",
    "lrt.qstep.size_clip", "lrt.heads.unequal_variance", "lrt.calibration.shifted_states", "lrt.variance_mismatch",
    "lrt.qstep.recalibrate", "lrt.gate_feedback", "lrt.gate.past_evidence", "lrt.running_max.exact_law",
    "csar.conformal.coverage", "csar.weighted.shift", "csar.va.truth_coverage", "csar.logit.coverage.percell",
    "csar.logit.coverage.conformal", "csar.logit.coverage.none", "csar.va.validity", "csar.reward.sandwich",
    "csar.value.lemma", "csar.value.theorem", "csar.reward.bound", "csar.ablations",
    "csar.ablations.prior_correction", "lecam.bound.model", "lecam.bound.policy", "lecam.tightness",
    "lecam.tv.exact", "lecam.rules.guarantee", "risk.kernel.stable_marginal", "risk.poc.objective_minimiser",
    "risk.target.unbiased", "risk.paper_sign", "risk.cauchy_psi.anisotropic",
    "risk.kernel.outside", "tabular.rollout.value", "tabular.occupancy.sampling", "stats.conformal.coverage",
    "lrt.ood.monotone", "lrt.ood.pareto",
]
# builders whose checks train models or sweep (several seconds to a minute): exercised in the slow test
SLOW = ["lrt.type1.learned", "lrt.running_max", "risk.learned.cauchy", "risk.misspecified"]
# checks registered only in the full tier: their builders are tested on synthetic evidence of the same shape
FULL_ONLY = {"risk.learned.tabular", "risk.learned.component_corruption", "risk.learned.abalone"}
# ... and risk.learned.gaussian (a minute of training in the quick tier): same builder, same evidence shape
SYNTHETIC = FULL_ONLY | {"risk.learned.gaussian"}
GROUP_ANCHORS = {"csar.conformal.coverage": "Coverage per calibrator",
                 "csar.logit.coverage.conformal": "Reliability"}
# checks drawn only inside a group figure attached to another check
GROUP_ONLY = {"csar.weighted.shift", "csar.va.truth_coverage", "csar.logit.coverage.percell",
              "csar.logit.coverage.none"}


@pytest.fixture(scope="module")
def fast_results():
    res = run_checks(select(FAST))
    attach_figures(res, strict=True)
    return {r.check_id: r for r in res}


@pytest.mark.parametrize("check_id", FAST)
def test_builder_makes_valid_renderable_specs_from_a_real_run(fast_results, check_id):
    res = fast_results[check_id]
    assert res.passed, res.describe()
    specs = res.figures
    assert bool(specs) != (check_id in GROUP_ONLY), f"figures of {check_id}: {[s['title'] for s in specs]}"
    assert "plots" not in res.evidence.details and "finding" not in res.evidence.details
    for spec in specs:
        assert validate_spec(spec) == [], spec.get("title")
        json.dumps(spec)  # JSON-able as attached (numpy converted)
        assert spec.get("title") and (spec.get("caption") or spec["kind"] == "table")
        uri = render_spec(spec)
        assert (uri is None) == (spec["kind"] == "table")
        if uri is not None:
            assert uri.startswith("data:image/png;base64,") and len(uri) > 5000


def test_group_figures_attach_once_to_the_first_member(fast_results):
    for anchor, title in GROUP_ANCHORS.items():
        titles = [s["title"] for s in fast_results[anchor].figures]
        assert any(t.startswith(title) for t in titles), (anchor, titles)
    covered = [r for r in fast_results.values()
               if any(s["title"].startswith("Coverage per calibrator") for s in r.figures)]
    assert [r.check_id for r in covered] == ["csar.conformal.coverage"]
    cov = next(s for s in covered[0].figures if s["title"].startswith("Coverage per calibrator"))
    assert len(cov["labels"]) == 5  # conformal, weighted and unweighted under shift, per-cell CP, Venn-Abers
    rel = next(s for s in fast_results["csar.logit.coverage.conformal"].figures
               if s["title"].startswith("Reliability"))
    assert [p["label"] for p in rel["points"]] == ["conformal", "none"]


def test_attach_is_idempotent_and_leaves_the_evidence_alone(fast_results):
    res = fast_results["lecam.tv.exact"]
    before, details = list(res.figures), dict(res.evidence.details)
    attach_figures([res], strict=True)
    attach_figures([res], strict=True)
    assert res.figures == before and dict(res.evidence.details) == details


def test_findings_only_for_claims_the_papers_get_wrong(fast_results):
    for cid, r in fast_results.items():
        if r.spec.claim.expectation == "fails":
            assert r.finding, cid
        else:
            assert r.finding == "", cid


def _every_spec():
    return {s.check_id: s for s in all_checks("quick") + all_checks("full")}


def test_every_builder_targets_a_registered_and_tested_check():
    specs = _every_spec()
    tested = set(FAST) | set(SLOW) | SYNTHETIC
    for b in registered():
        assert any(b.applies_to(s) for s in specs.values()), b.name
        assert any(b.applies_to(specs[i]) for i in tested), b.name


@pytest.mark.parametrize("check_id", sorted(SYNTHETIC))
def test_learned_risk_builders_on_evidence_of_their_shape(check_id):
    get(check_id)  # registered (full tier)
    table = {n: {"w1": [0.3, 0.4], "sw1": [0.2, 0.25], "mmd": [1e-3, 2e-3]}
             for n in ("standard", "risk_conditional", "risk_sensitive", "oracle")}
    specs = build_figures(check_id, Evidence(verdict="holds", details={"table": table}), strict=True)
    assert len(specs) == 3 and all(validate_spec(s) == [] for s in specs)
    assert specs[0]["labels"] == ["standard", "risk_conditional", "risk_sensitive", "oracle"]


@pytest.mark.slow
def test_slow_builders_from_real_runs():
    res = run_checks(select(SLOW))
    attach_figures(res, strict=True)
    for r in res:
        assert r.passed, r.describe()
        specs = r.figures
        assert specs and all(validate_spec(s) == [] for s in specs), r.check_id
        for s in specs:
            render_spec(s)


# ------------------------------------------------------------------------------------------------------------------
class _Res:
    def __init__(self, check_id, evidence):
        self.check_id, self.evidence = check_id, evidence


def _patterns():
    """Ids that every builder targets: the registered checks it applies to, and ids made from its patterns."""
    made = {p.replace("*", "x").replace("[", "").replace("]", "") for b in registered() for p in b.patterns}
    return sorted(made | {cid for cid, s in _every_spec().items() if any(b.applies_to(s) for b in registered())})


def test_attach_never_breaks_on_missing_data():
    ids = _patterns() + [s.check_id for s in all_checks("quick")]
    res = [_Res(i, Evidence(verdict="holds")) for i in ids] + [_Res("lrt.ump", None)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing key is a silent skip, not even a warning
        attach_figures(res)
    assert all(not r.figures for r in res)


_json = hs.recursive(hs.none() | hs.booleans() | hs.floats(allow_nan=True) | hs.integers(-5, 5) | hs.text(max_size=3),
                     lambda c: hs.lists(c, max_size=4) | hs.dictionaries(hs.text(max_size=3), c, max_size=3),
                     max_leaves=12)
_KEYS = ["D2", "k", "n_cal", "alpha", "mean_exact", "alpha_sweep", "D", "final_action_D", "power_exact", "pareto",
         "lrt_ood_by_alpha", "ci95", "region", "shift", "hard", "soft", "reliability", "sandwich", "worlds",
         "ablation", "drift", "rules", "table", "grid", "ks", "plus", "minus", "[0.5, 1.5]", "exact_rate",
         "observed_rate", "exact_d", "observed", "0.0", "1.0", "clip=1.0,eta=0.5", "realized_running_max",
         "ville_rate", "p_exact_running_max", "p_final", "certificate_coverage", "interval_coverage",
         "counterexample", "exact_coverage", "unweighted_split_conformal_coverage", "realized_level_mean", "rows"]


@settings(max_examples=60, deadline=None)
@given(details=hs.dictionaries(hs.sampled_from(_KEYS), _json, max_size=6),
       est=hs.floats(allow_nan=True, allow_infinity=True))
def test_attach_never_breaks_on_malformed_data(details, est):
    res = [_Res(i, Evidence(verdict="holds", estimate=est, lower=est, upper=est, bound=est, n=3,
                            details=json.loads(json.dumps(details))))
           for i in _patterns()]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        attach_figures(res)
    for r in res:
        for spec in r.figures:
            assert validate_spec(spec) == []


# ------------------------------------------------------------------------------------------------------------------
CLI_CHECKS = ["lrt.ump", "csar.value.lemma", "lecam.tv.exact", "csar.ablations"]
# csar.ablations: returns bar chart and drift lines (its table is not an image); the id selects the checks below it,
# so csar.ablations.prior_correction adds its error bar chart
CLI_FIGURES = 1 + 1 + 1 + 2 + 1


@pytest.fixture(scope="module")
def cli_report(tmp_path_factory):
    from lrtcheck.cli import main

    out = tmp_path_factory.mktemp("rep")
    argv = ["certify", "--out", str(out), "--quiet"]
    for c in CLI_CHECKS:
        argv += ["--check", c]
    assert main(argv) == 0
    return out


def test_certify_report_has_the_expected_figures(cli_report):
    page = (cli_report / "index.html").read_text()
    assert page.count("<figure>") == CLI_FIGURES
    assert page.count("data:image/png;base64,") == CLI_FIGURES
    assert "ablation table" in page  # table spec rendered as HTML
    assert not re.search(r"(src|href)=['\"](?!data:)", page)
    import pandas as pd

    df = pd.read_csv(cli_report / "results.csv")
    assert all("plots" not in json.loads(r.details) for r in df.itertuples())  # figures live in the sidecar
    sidecar = json.loads((cli_report / "figures.json").read_text())
    plots = {cid: entry["plots"] for cid, entry in sidecar.items()}
    assert all(plots[c] for c in CLI_CHECKS)
    assert all(len(json.dumps(p)) < 20000 for p in plots.values())  # small: counts and curves, never raw samples


def test_report_command_rebuilds_the_figures_from_the_sidecar(cli_report, tmp_path):
    from lrtcheck.cli import main

    assert main(["report", str(cli_report), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "index.html").read_text().count("<figure>") == CLI_FIGURES


def test_certify_no_figures(tmp_path):
    from lrtcheck.cli import main

    assert main(["certify", "--out", str(tmp_path), "--quiet", "--no-figures", "--check", "lrt.ump"]) == 0
    assert "<figure>" not in (tmp_path / "index.html").read_text()
    assert json.loads((tmp_path / "figures.json").read_text()) == {}  # no stale figures left behind


def test_plugin_gate_attaches_figures_only_with_a_report(tmp_path):
    from lrtcheck.plugin import GateSession

    with_report = GateSession("quick", 7, 1e-3, None, str(tmp_path))
    without = GateSession("quick", 7, 1e-3, None, None)
    with_report.run("lecam.tv.exact")
    without.run("lecam.tv.exact")
    assert with_report.figures["lecam.tv.exact"]["plots"] and not without.figures
    assert "plots" not in json.loads(with_report.rows[0]["details"])


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_certify_report_renders_every_figure_in_chromium(cli_report, tmp_path):
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--virtual-time-budget=5000",
             f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--dump-dom", (cli_report / "index.html").as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    tag = re.search(r"<body[^>]*>", dom.stdout).group(0)
    assert f'data-figures="{CLI_FIGURES}"' in tag and 'data-figures-ok="true"' in tag, tag
    assert "data-errors" not in tag, tag
