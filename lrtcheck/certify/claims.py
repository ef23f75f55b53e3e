"""Claims: what a paper (or the theory behind it) says, and what we expect a faithful implementation to show.

A claim's ``expectation`` is ``"holds"`` (theory guarantees it) or ``"fails"`` (a documented limitation or an error in
the paper, reproduced as a counter-example).  Both are asserted: a ``fails`` claim passes the gate only when its
violation is reproduced with statistical confidence (docs/certification.md, "Claims").
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Claim", "HOLDS", "FAILS", "MEASURED", "EXPECTATIONS"]

HOLDS = "holds"
FAILS = "fails"
MEASURED = "measured"  # reported, not asserted beyond the sanity of the measurement itself
EXPECTATIONS = (HOLDS, FAILS, MEASURED)


@dataclass(frozen=True)
class Claim:
    """One claim, with where it comes from.

    Attributes
    ----------
    id : dotted identifier, ``method.topic.detail`` (``lrt.type1.dkw``).
    source : where it comes from: the paper (arXiv id, section, equation) or a file of ``docs/``.
    statement : one line saying what is claimed.
    expectation : ``holds``, ``fails`` or ``measured``.
    assumptions : the conditions under which the statement is made.
    method : the method family (``stats``, ``tabular``, ``lrt``, ``risk``, ``csar``, ``lecam``), from the id.
    """

    id: str
    source: str
    statement: str
    expectation: str = HOLDS
    assumptions: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.id or " " in self.id or "." not in self.id:
            raise ValueError(f"claim id must be a dotted identifier without spaces, got {self.id!r}")
        if self.expectation not in EXPECTATIONS:
            raise ValueError(f"expectation must be one of {EXPECTATIONS}, got {self.expectation!r}")
        if not self.statement.strip():
            raise ValueError("statement must not be empty")
        object.__setattr__(self, "assumptions", tuple(self.assumptions))

    @property
    def method(self) -> str:
        return self.id.split(".", 1)[0]
