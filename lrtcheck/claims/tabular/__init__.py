"""Claims of the exact-ratio tabular worlds (tabular_envs): exact values, occupancies, Bayes logits, solvers.

One topic module per group of claims (docs/writing-a-check.md)."""
