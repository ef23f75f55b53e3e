"""lrtcheck: a verification-focused statistical testing harness.

Reference implementations of LRT-Diffusion, Risk-Sensitive Diffusion and Certified Shift-Aware Rewards (C-SAR),
run in worlds where every estimated quantity is known exactly, with each claim of the papers turned into a
hypothesis test that has a stated false-fail rate and power.

Layering (bottom to top, no import runs back up; docs/architecture.md): ``stats`` -> ``tabular_envs``,
``diffusion``, the methods (``lrt``, ``risk``, ``csar``, ``lecam``) and ``worlds``, beside the engine (``certify``,
which imports no method) -> ``claims`` -> ``plugin``, ``report`` -> ``cli``.
"""

__version__ = "0.1.0"
