"""Claims: what a paper (or the theory behind it) says, and what we expect a faithful implementation to show.

A claim's ``expectation`` is ``"holds"`` (theory guarantees it) or ``"fails"`` (a documented limitation or an error in
the paper, reproduced as a counter-example).  Both are asserted: a ``fails`` claim passes the gate only when its
violation is reproduced with statistical confidence (docs/certification.md, "Claims").
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Claim", "HOLDS", "FAILS", "MEASURED", "EXPECTATIONS", "PAPER_ERROR", "LIMITATION", "FAILS_KINDS"]

HOLDS = "holds"
FAILS = "fails"
MEASURED = "measured"  # reported, not asserted beyond the sanity of the measurement itself
EXPECTATIONS = (HOLDS, FAILS, MEASURED)
PAPER_ERROR = "paper error"  # a ``fails`` claim: the paper states it and gets it wrong
LIMITATION = "limitation"  # a ``fails`` claim: a misuse or limit the paper itself warns against, reproduced
FAILS_KINDS = (PAPER_ERROR, LIMITATION)


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
    limitation : for a ``fails`` claim, True when it reproduces a limitation or misuse that the paper itself warns
        against (deploying a stale threshold, training outside the stability interval), False (the default) when the
        paper states the claim and gets it wrong.  Reports keep the two apart (docs/paper_errors.md §1 and §2).
    method : the method family (``stats``, ``tabular``, ``lrt``, ``risk``, ``csar``, ``lecam``), from the id.
    """

    id: str
    source: str
    statement: str
    expectation: str = HOLDS
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    limitation: bool = False

    def __post_init__(self) -> None:
        if not self.id or " " in self.id or "." not in self.id:
            raise ValueError(f"claim id must be a dotted identifier without spaces, got {self.id!r}")
        if self.expectation not in EXPECTATIONS:
            raise ValueError(f"expectation must be one of {EXPECTATIONS}, got {self.expectation!r}")
        if not self.statement.strip():
            raise ValueError("statement must not be empty")
        if not isinstance(self.limitation, bool):
            raise ValueError(f"limitation must be a bool, got {self.limitation!r}")
        if self.limitation and self.expectation != FAILS:
            raise ValueError(f"limitation=True is for a 'fails' claim (a limitation reproduced), got expectation "
                             f"{self.expectation!r}")
        object.__setattr__(self, "assumptions", tuple(self.assumptions))

    @property
    def fails_kind(self) -> str:
        """``"paper error"`` or ``"limitation"`` for a ``fails`` claim, ``""`` otherwise."""
        if self.expectation != FAILS:
            return ""
        return LIMITATION if self.limitation else PAPER_ERROR

    @property
    def method(self) -> str:
        return self.id.split(".", 1)[0]
