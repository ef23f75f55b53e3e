"""What a check receives: its parameters, its random stream, its share of the budget, its subject and executor."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable

import numpy as np

from lrtcheck.stats.design import Design
from lrtcheck.stats.seeds import child_seeds, seed_sequence, stream_key

from .executors import SerialExecutor
from .registry import CheckSpec

__all__ = ["CheckContext"]


def _call_with_child(args):
    fn, ss, extra = args
    return fn(ss, *extra)


@dataclass
class CheckContext:
    """The run-time context of one check.

    Attributes
    ----------
    spec : the registered check.
    tier : ``quick`` or ``full``.
    root_seed : the run's root seed; the check's stream is ``SeedSequence(root_seed, spawn_key=key(check_id))``.
    false_fail_rate : this check's share of the error budget (0 for exact checks).  A ``holds`` check must make
        its decision at this level; a ``fails`` check must reproduce its violation with probability at least
        ``1 - false_fail_rate``.
    required_power : the power the check's design must reach against its stated defect.
    params : the tier's keyword parameters.
    subject : the implementation under test (the user's, or the reference one).
    device : torch device string for checks that run torch (``cpu`` or ``cuda``).
    executor : where replications run (serial, processes, Dask).
    drawn_configurations : the records of every configuration drawn with :meth:`configurations` (the runner puts
        them in ``details["config"]``), and failed_configurations the indices that did not hold when joined.
    """

    spec: CheckSpec
    tier: str
    root_seed: int
    false_fail_rate: float
    required_power: float
    params: dict[str, Any] = field(default_factory=dict)
    subject: Any = None
    device: str = "cpu"
    executor: Any = field(default_factory=SerialExecutor)
    drawn_configurations: list = field(default_factory=list)
    failed_configurations: list = field(default_factory=list)

    @property
    def check_id(self) -> str:
        return self.spec.check_id

    @property
    def variant(self) -> Any:
        return self.spec.variant

    @cached_property
    def seed_sequence(self) -> np.random.SeedSequence:
        return seed_sequence(self.root_seed, self.check_id)

    @cached_property
    def rng(self) -> np.random.Generator:
        """The check's own numpy generator (first child of its stream)."""
        return np.random.default_rng(self.stream("rng"))

    def stream(self, name: str) -> np.random.SeedSequence:
        """A named sub-stream of this check (stable when other sub-streams are added)."""
        return np.random.SeedSequence(entropy=self.seed_sequence.entropy,
                                      spawn_key=tuple(self.seed_sequence.spawn_key) + stream_key(name))

    def seed(self, name: str) -> int:
        """A 63-bit integer seed for a named sub-stream (for torch generators and seeded library calls)."""
        return child_seeds(self.stream(name), 1)[0]

    def torch_generator(self, name: str = "torch", device: str | None = None):
        import torch

        g = torch.Generator(device=device or self.device)
        g.manual_seed(self.seed(name))
        return g

    def replicate(self, fn: Callable[..., Any], replications: int, *args: Any, name: str = "replications") -> list:
        """Run ``fn(seed_sequence_i, *args)`` for ``i < replications`` through the executor.

        Each replication has its own child stream, spawned by index from the named sub-stream, so the results are
        identical whichever executor runs them.  ``fn`` must be a module-level function (it may be pickled).
        """
        children = self.stream(name).spawn(int(replications))
        return self.executor.map(_call_with_child, [(fn, ss, args) for ss in children])

    def configurations(self, space, *, quick: int | None = None, full: int | None = None):
        """Draw this tier's configurations of ``space`` (a
        :class:`~lrtcheck.certify.configurations.ParameterSpace`): ``quick`` of them in the quick tier, ``full`` in
        the full tier (default: the tier parameter ``configurations``).

        They form a Latin hypercube drawn from the check's stream ``configurations/<space name>``; each carries the
        share ``split_share(false_fail_rate, k)`` and its own sub-streams.  Join their decisions with
        :meth:`~lrtcheck.certify.configurations.Configurations.join`.
        """
        from .configurations import Configuration, Configurations, share_per_configuration

        k = {"quick": quick, "full": full}.get(self.tier)
        if k is None:
            k = self.params.get("configurations")
        if k is None:
            raise ValueError(f"{self.check_id}: give the number of configurations for tier {self.tier!r} "
                             "(configurations(space, quick=..., full=...) or a 'configurations' tier parameter)")
        if any(r["space"] == space.name for r in self.drawn_configurations):
            raise ValueError(f"{self.check_id}: configurations of space {space.name!r} drawn twice; give each "
                             "space its own name")
        values = space.draw(self.stream(f"configurations/{space.name}"), k)
        share = share_per_configuration(self.false_fail_rate, len(values))
        items = [Configuration(space.name, i, len(values), v, share, self.stream) for i, v in enumerate(values)]
        self.drawn_configurations.extend(c.record() for c in items)

        def on_join(failed):
            self.failed_configurations.extend({"space": space.name, "index": i} for i in failed)

        return Configurations(items, self.false_fail_rate, on_join)

    def design(self, target_defect: str, defect_size: float, power: float, n: int,
               false_fail_rate: float | None = None) -> Design:
        """A :class:`Design` at this check's false-fail share (or the rate given)."""
        ff = self.false_fail_rate if false_fail_rate is None else false_fail_rate
        return Design(false_fail_rate=float(ff), target_defect=target_defect, defect_size=float(defect_size),
                      power=float(power), n=int(n))
