"""Claims of LRT-Diffusion (arXiv 2510.24983): null laws, calibration, gate, Q-step, heads, learned pipeline, OOD.

One topic module per group of claims (docs/writing-a-check.md)."""
