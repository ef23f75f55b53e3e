"""Seed streams: one root seed, one independent stream per check, keyed on the check id.

``numpy.random.SeedSequence(root, spawn_key=key(check_id))`` with the key derived from a SHA-256 of the id, so the
stream of a check depends only on the root and its own id: adding, removing or reordering checks moves no other
check's stream, and parallel workers reproduce the serial run exactly.
"""

from __future__ import annotations

import hashlib
import secrets

import numpy as np

from .validation import MAX_ENUMERATION, check_name, check_positive_int, check_seed_sequence

__all__ = ["DEFAULT_ROOT_SEED", "resolve_root_seed", "stream_key", "seed_sequence", "child_seeds", "torch_generator"]

DEFAULT_ROOT_SEED = 20251022


def resolve_root_seed(seed, *, name: str = "seed") -> int:
    """``None`` -> the fixed default; ``"random"`` -> fresh entropy (recorded in every result row); ints as given
    (1.9, True and negative numbers refused, never truncated).  ``name`` is the parameter named in the refusal."""
    check_name("name", name)
    if seed is None:
        return DEFAULT_ROOT_SEED
    if isinstance(seed, str):
        if seed.strip().lower() == "random":
            return secrets.randbits(63)
        try:
            seed = int(seed)
        except ValueError as exc:
            raise ValueError(f"{name} must be a non-negative integer or 'random', got {seed!r}") from exc
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"{name} must be a non-negative integer or 'random', got {seed!r}")
    return int(seed)


def stream_key(name: str) -> tuple[int, ...]:
    """Four 32-bit words of SHA-256(name): the spawn key of a named stream."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty string, got {name!r}")
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return tuple(int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4))


def seed_sequence(root: int, name: str) -> np.random.SeedSequence:
    """The ``SeedSequence`` of the stream ``name`` under ``root``."""
    if root is None:
        raise ValueError("root must be a non-negative integer root seed, got None (resolve_root_seed gives the default)")
    return np.random.SeedSequence(entropy=resolve_root_seed(root, name="root"), spawn_key=stream_key(name))


def child_seeds(ss: np.random.SeedSequence, n: int) -> list[int]:
    """``n`` independent 63-bit integer seeds from ``ss`` (for torch generators or per-replication streams)."""
    check_seed_sequence("ss", ss)
    n = check_positive_int("n", n, maximum=MAX_ENUMERATION)
    words = ss.generate_state(2 * n, dtype=np.uint32).astype(np.uint64)
    return [int(((hi << np.uint64(32)) | lo) & np.uint64(2**63 - 1)) for lo, hi in zip(words[0::2], words[1::2])]


def torch_generator(ss: np.random.SeedSequence, device="cpu"):
    """A ``torch.Generator`` on ``device`` seeded from ``ss`` (torch imported lazily)."""
    check_seed_sequence("ss", ss)
    import torch

    if not isinstance(device, (str, torch.device)):
        raise ValueError(f"device must be a device name or torch.device, got {device!r}")
    try:
        g = torch.Generator(device=device)
    except RuntimeError as exc:
        raise ValueError(f"device must name an available torch device, got {device!r} ({exc})") from None
    g.manual_seed(child_seeds(ss, 1)[0])
    return g
