"""Claims of the Le Cam two-point lower bounds of C-SAR: exact divergences, instances, decision rules and risk.

One topic module per group of claims (docs/writing-a-check.md)."""
