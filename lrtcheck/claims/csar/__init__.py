"""Claims of C-SAR (Certified Shift-Aware Rewards): calibrators, logit certificates, reward, agents and value.

One topic module per group of claims (docs/writing-a-check.md)."""
