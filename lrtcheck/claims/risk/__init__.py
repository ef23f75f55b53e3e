"""Claims of Risk-Sensitive Diffusion (arXiv 2402.02081): kernels, targets and loss, psi, sampling, learned models, data.

One topic module per group of claims (docs/writing-a-check.md)."""
