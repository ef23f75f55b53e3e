"""The claims: one package per family, one topic module per group of claims.

A topic module holds, for its claims, everything a reader needs to judge them: the :class:`~lrtcheck.certify.Claim`
(statement and source), the check that decides it (a function registered with :func:`lrtcheck.certify.check`,
making its decision with :mod:`lrtcheck.stats.decisions`), the figures built from its evidence
(:func:`lrtcheck.certify.figures.figure`), and the mutants its checks must kill (``MUTANTS = [...]``).  The worlds
the checks run in come from :mod:`lrtcheck.worlds` (or ``tabular_envs``).  The registry discovers every module
under this package, in sorted order; nothing imports a topic module by name.  How a topic module is laid out:
docs/writing-a-check.md.

Claims depend on the methods, the worlds, the statistical core and the engine; nothing below them (methods,
worlds, ``lrtcheck.stats``, the engine) and nothing in the report imports them (docs/architecture.md).
"""
