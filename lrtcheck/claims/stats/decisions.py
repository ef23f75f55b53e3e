"""``stats.decisions``: every acceptance region the decisions module builds has exact size at most its share.

Claim.  The exact binomial test of ``H0: X ~ Bin(n, p)`` at level s accepts ``low <= X <= high`` with each tail at
most its share (two-sided: ``P(X < low) <= s/2`` and ``P(X > high) <= s/2``; ``less``: ``P(X < low) <= s``;
``greater``: ``P(X > high) <= s``), and no tail can be enlarged by one count without exceeding its share (the region
is the smallest such, so no power is given away) -- except at an exact tie, where the larger tail equals the share
to twelve digits and floating-point rounding of the tail sum decides (at most one count of power, on a set of
(n, p, share) of measure zero; the check counts these ties and reports them).  The equal-tailed region of a discrete law (Beta-Binomial
exceedance counts) obeys the same two rules with s/2 per tail (Clopper & Pearson 1934; Casella & Berger,
"Statistical Inference", section 8.3: a test of size at most alpha).  A region that did not split s between its
tails would double the false-fail rate of every count decision while the gate stayed green.

Check.  Exact, no sampling: the tails of every region built by ``binomial_acceptance_region`` and
``equal_tailed_region`` over a grid of (n, p, share, alternative) -- n from 1 to 137 (quick) or 1000 (full), p in {0, 1/1000, 1/20, 1/3,
1/2, 9/10, 999/1000, 1}, shares from 1e-9 to 0.9 -- and of Beta-Binomial laws with integer parameters, enumerated
in exact integer arithmetic: ``P(X = k) = C(n, k) a^k (d - a)^(n - k) / d^n`` for ``p = a/d``, and
``C(m, k) B(k + a, m - k + b) / B(a, b)`` with factorials for the Beta-Binomial.  The oracle never calls scipy's
binomial law, which the regions are built from.  The decisions module also refuses, at run time, any region whose
tail exceeds its share (``check_region_size``).
"""

from __future__ import annotations

from fractions import Fraction
from math import comb, factorial

from scipy import stats as st

from lrtcheck.certify import Claim, Evidence, check
from lrtcheck.certify.mutation import Mutant, source_edit
from lrtcheck.stats import binomial_acceptance_region
from lrtcheck.stats.decisions import equal_tailed_region, exact_decision

REGION_CLAIM = Claim(
    id="stats.decisions.region_size",
    source="Clopper & Pearson (1934), Biometrika 26(4); Casella & Berger, Statistical Inference, section 8.3",
    statement="Every exact acceptance region of lrtcheck.stats.decisions (binomial two-sided, less, greater; "
    "equal-tailed discrete) has each tail of exact probability at most its share, and no tail can grow by one "
    "count without exceeding it (but for exact ties, where the grown tail equals the share to 12 digits).",
)

BINOMIAL_PS = (Fraction(0), Fraction(1, 1000), Fraction(1, 20), Fraction(1, 3), Fraction(1, 2), Fraction(9, 10),
               Fraction(999, 1000), Fraction(1))
SHARES = (1e-9, 4.1666666666666665e-05, 1e-3, 0.05, 0.5, 0.9)
ALTERNATIVES = ("two-sided", "less", "greater")
BETABINOMIALS = ((1, 1), (2, 5), (18, 2), (109, 1392))


def binomial_pmf_numerators(n: int, p: Fraction) -> tuple[list[int], int]:
    """``(numerators, denominator)`` with ``P(X = k) = numerators[k] / denominator`` for ``X ~ Bin(n, p)``."""
    a, d = p.numerator, p.denominator
    return [comb(n, k) * a**k * (d - a) ** (n - k) for k in range(n + 1)], d**n


def betabinomial_pmf_numerators(m: int, a: int, b: int) -> tuple[list[int], int]:
    """Exact Beta-Binomial(m, a, b) pmf for integer a, b: ``C(m,k) B(k+a, m-k+b) / B(a, b)`` over a common
    denominator, with ``B(x, y) = (x-1)! (y-1)! / (x+y-1)!``."""
    top = [comb(m, k) * factorial(k + a - 1) * factorial(m - k + b - 1) for k in range(m + 1)]
    # B(k+a, m-k+b) / B(a, b) = (k+a-1)!(m-k+b-1)!(a+b-1)! / ((m+a+b-1)! (a-1)! (b-1)!)
    return ([t * factorial(a + b - 1) for t in top],
            factorial(m + a + b - 1) * factorial(a - 1) * factorial(b - 1))


#: a grown tail within this relative distance of its share is an exact tie, decided by floating-point rounding
TIE = Fraction(1, 10**12)


def _grows(tail: Fraction, share: Fraction, ties: list) -> bool:
    """Whether a tail grown by one count stays within its share, strictly beyond a tie (ties are noted)."""
    if tail > share:
        return False
    if share - tail <= TIE * share:
        ties.append(float(share))
        return False
    return True


def region_problems(pmf: list[int], den: int, low: int, high: int, lower_share, upper_share,
                    ties: list | None = None) -> list[str]:
    """What is wrong with the region ``[low, high]`` under the exact pmf: a tail above its share, or a tail that
    could take one more count and stay within it (ties are appended to ``ties``)."""
    ties = [] if ties is None else ties
    n = len(pmf) - 1
    lo_s, hi_s = Fraction(lower_share), Fraction(upper_share)
    below, above = sum(pmf[:low]), sum(pmf[high + 1:])
    out = []
    if not 0 <= low <= high + 1 <= n + 1:
        return [f"region [{low}, {high}] is not inside 0..{n}"]
    if Fraction(below, den) > lo_s:
        out.append(f"lower tail {float(Fraction(below, den)):.6g} > share {float(lo_s):.6g}")
    if Fraction(above, den) > hi_s:
        out.append(f"upper tail {float(Fraction(above, den)):.6g} > share {float(hi_s):.6g}")
    if lo_s > 0 and low < high and _grows(Fraction(below + pmf[low], den), lo_s, ties):
        out.append(f"lower tail could also reject {low} (tail {float(Fraction(below + pmf[low], den)):.6g})")
    if hi_s > 0 and high > low and _grows(Fraction(above + pmf[high], den), hi_s, ties):
        out.append(f"upper tail could also reject {high} (tail {float(Fraction(above + pmf[high], den)):.6g})")
    return out


def _tails(share: float, alternative: str) -> tuple[float, float]:
    if alternative == "two-sided":
        return share / 2, share / 2
    return (share, 0.0) if alternative == "less" else (0.0, share)


@check(REGION_CLAIM, stochastic=False, quick=dict(ns=(1, 2, 3, 7, 20, 50, 137)),
       full=dict(ns=(1, 2, 3, 7, 20, 50, 137, 400, 1000)))
def check_region_size(ctx):
    """Exact: every region over the grid against its tails enumerated in integer arithmetic."""
    problems, ties, total = [], [], 0
    for n in ctx.params["ns"]:
        for p in BINOMIAL_PS:
            pmf, den = binomial_pmf_numerators(n, p)
            law = st.binom(n, float(p))
            for share in SHARES:
                for alternative in ALTERNATIVES:
                    region = binomial_acceptance_region(n, float(p), share, alternative=alternative)
                    total += 1
                    for why in region_problems(pmf, den, region.low, region.high, *_tails(share, alternative), ties):
                        problems.append(f"Bin({n}, {p}) {alternative} at {share:g}: {why}")
                if p not in (0, 1):
                    low, high = equal_tailed_region(law, share)
                    total += 1
                    for why in region_problems(pmf, den, low, high, share / 2, share / 2, ties):
                        problems.append(f"equal-tailed Bin({n}, {p}) at {share:g}: {why}")
        for a, b in BETABINOMIALS:
            pmf, den = betabinomial_pmf_numerators(n, a, b)
            law = st.betabinom(n, a, b)
            for share in SHARES:
                low, high = equal_tailed_region(law, share)
                total += 1
                for why in region_problems(pmf, den, low, high, share / 2, share / 2, ties):
                    problems.append(f"equal-tailed BetaBinomial({n}, {a}, {b}) at {share:g}: {why}")
    decision = exact_decision(not problems, estimate=len(problems), bound=0.0, n=total, name="region problems",
                              message=f"{len(problems)} of {total} regions wrong, e.g. "
                                      f"{problems[0] if problems else None}")
    return Evidence.from_decision(decision, details={"regions": total, "exact_ties": len(ties),
                                                     "first_problems": problems[:5]})


MUTANTS = [
    Mutant("stats.region_alpha_not_split", "lrtcheck.stats.binomial:binomial_acceptance_region",
           "a two-sided region that does not split alpha between its tails (each tail at alpha)",
           source_edit(('lo_tail = alpha / 2 if alternative == "two-sided"', 'lo_tail = alpha if alternative == '
                        '"two-sided"'),
                       ('hi_tail = alpha / 2 if alternative == "two-sided"', 'hi_tail = alpha if alternative == '
                        '"two-sided"')),
           ("stats.decisions.*",)),
    Mutant("stats.region_off_by_one", "lrtcheck.stats.binomial:binomial_acceptance_region",
           "the lower end of the region one count too low (P(X <= low) read as P(X < low))",
           source_edit(("low = int(ok[-1] + 1) if ok.size else 0", "low = int(ok[-1]) if ok.size else 0")),
           ("stats.decisions.*",)),
]
