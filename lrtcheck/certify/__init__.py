"""The certification layer: claims, checks, evidence, verdicts, the registry and the runner.

Depends on the methods; the methods never import it.
"""

from .claims import FAILS, HOLDS, MEASURED, Claim
from .context import CheckContext
from .evidence import HOLDS_VERDICT, VIOLATED_VERDICT, Evidence, verdict_passes
from .registry import TIER_POWER, TIERS, CheckSpec, all_checks, check, get, load_all, select
from .runner import CheckResult, budget_for, run_check, run_checks

__all__ = [
    "FAILS", "HOLDS", "MEASURED", "Claim", "CheckContext", "Evidence", "HOLDS_VERDICT", "VIOLATED_VERDICT",
    "verdict_passes", "TIERS", "TIER_POWER", "CheckSpec", "all_checks", "check", "get", "load_all", "select",
    "CheckResult", "budget_for", "run_check", "run_checks",
]
