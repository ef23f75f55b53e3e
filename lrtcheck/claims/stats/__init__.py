"""Claims of the statistical core (lrtcheck.stats): DKW bands, conformal ranks and coverage, Clopper-Pearson intervals.

One topic module per group of claims (docs/writing-a-check.md)."""
