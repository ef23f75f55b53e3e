"""Worlds: the exact worlds the checks run in, as named, documented functions and classes.

A world builds the setting of a check in which every quantity the subject estimates is known exactly: a Gaussian
heads world with its exact law of the LRT statistic, a linear critic with its exact gradient, the per-cell world of
a tabular MDP with its exact class probabilities, a risk toy with its closed-form marginals.  Each world is a
function or class with a docstring that gives its construction and the exact quantities it exposes (formula and
source: paper, section, equation), so that a check reads ``world = gaussian_heads_world(...)`` instead of building
it in its body, and two checks that need the same world share it.  One module per family of worlds
(``lrtcheck/worlds/<family>.py``); the tabular MDPs themselves live in ``tabular_envs``.

Worlds depend only on the methods, ``tabular_envs`` and the statistical core; they never import the engine
(``lrtcheck.certify``), the claims, the report, the plugin or the CLI (an import contract enforces it,
docs/architecture.md).
"""
