"""Counter-based per-sample Gaussian noise: the draw for (seed, sample_id, step, dim) is a pure function of those four.

Why: a single generator shared across a batch makes every sample's noise depend on the batch size and on the device
(huggingface/diffusers #6222, #612; docs/methods/diffusion.md §7), and a precomputed [T, B, d] tensor of per-sample
generators is far too slow for 10^6 chains.  Here the noise is a stateless hash, fully vectorised in torch:

    key_i   = mix64(mix64(seed) + G (sample_id_i + 1))                        (once per sample)
    h       = mix64(key_i + G (step * 2^24 + pair + 1))                      (one 64-bit word per pair of dims)
    u1, u2  = (hi32(h) + 1/2) / 2^32, (lo32(h) + 1/2) / 2^32                  (in (0, 1), never 0 or 1)
    z       = sqrt(-2 ln u1) (cos 2 pi u2, sin 2 pi u2)                        (Box-Muller, in float64)

with mix64 the SplitMix64 finaliser (Steele, Lea & Flood 2014: the generator built from it on a Weyl sequence of
increment G = 0x9E3779B97F4A7C15 passes BigCrush) computed in int64 with logical shifts; int64 products wrap modulo
2^64 on every torch backend, so the integer stream is bit-identical on CPU and CUDA, and the Gaussians agree to the
last few ulps of ``log``/``cos``.  The results do not depend on how the samples are batched, on the device, or on
the number of threads.  With 32-bit uniforms the largest |z| is sqrt(2 ln 2^33) = 6.76 (tail mass beyond it 1.4e-11).
"""

from __future__ import annotations

import math

from ._validate import float_dtype, int_array, strict_int

__all__ = ["counter_normal", "sample_keys", "mix64_reference"]

_M64 = (1 << 64) - 1
_G = 0x9E3779B97F4A7C15
_C1 = 0xBF58476D1CE4E5B9
_C2 = 0x94D049BB133111EB
_STEP_STRIDE = 1 << 24


def _signed(v: int) -> int:
    v &= _M64
    return v - (1 << 64) if v >= (1 << 63) else v


def mix64_reference(z: int) -> int:
    """SplitMix64 finaliser on a Python int (the reference the torch kernel is tested against)."""
    z = strict_int("z", z)
    z &= _M64
    z = ((z ^ (z >> 30)) * _C1) & _M64
    z = ((z ^ (z >> 27)) * _C2) & _M64
    return z ^ (z >> 31)


def _lsr(z, k: int):
    """Logical right shift of an int64 tensor (torch's >> is arithmetic)."""
    return (z >> k) & ((1 << (64 - k)) - 1)


def _mix64(z):
    z = (z ^ _lsr(z, 30)) * _signed(_C1)
    z = (z ^ _lsr(z, 27)) * _signed(_C2)
    return z ^ _lsr(z, 31)


def sample_keys(seed: int, sample_ids):
    """Per-sample 64-bit keys (int64 tensor, same device as ``sample_ids``)."""
    import torch

    seed = strict_int("seed", seed, minimum=0)
    if isinstance(sample_ids, torch.Tensor):
        if sample_ids.is_floating_point() or sample_ids.is_complex() or sample_ids.dtype == torch.bool:
            raise ValueError(f"sample_ids must hold integers (integer dtype), got dtype {sample_ids.dtype}")
        ids = sample_ids.to(torch.int64)
        if ids.dim() != 1:
            raise ValueError(f"sample_ids must have 1 dimension(s), got shape {tuple(ids.shape)}")
        if ids.numel() and bool((ids < 0).any()):
            raise ValueError("sample_ids must hold integers >= 0")
    else:
        ids = torch.as_tensor(int_array("sample_ids", sample_ids, minimum=0))
    base = _signed(mix64_reference(seed & _M64) ^ (seed >> 64))
    return _mix64(ids.add(1).mul(_signed(_G)).add(base))


def counter_normal(keys, step: int, dim: int, *, dtype=None):
    """Standard normal noise (B, dim) for the samples with ``keys`` at ``step`` (any integer in [0, 2^39)).

    The result is the transpose view of a contiguous (dim, B) tensor (the column layout the sampler works in);
    call ``.contiguous()`` if a row-major copy is needed.
    """
    import torch

    step = strict_int("step", step, minimum=0, maximum=(1 << 39) - 1)
    dim = strict_int("dim", dim, minimum=1, maximum=_STEP_STRIDE - 1)
    if not isinstance(keys, torch.Tensor) or keys.dtype != torch.int64 or keys.dim() != 1:
        raise ValueError("keys must be a 1-D int64 torch tensor (from sample_keys)")
    dtype = float_dtype("dtype", dtype)
    n_pairs = (dim + 1) // 2
    counters = torch.arange(n_pairs, device=keys.device, dtype=torch.int64).add(step * _STEP_STRIDE + 1)
    h = _mix64(keys.unsqueeze(0) + counters.mul(_signed(_G)).unsqueeze(1))  # (n_pairs, B)
    hi = _lsr(h, 32).to(torch.float64)
    lo = (h & 0xFFFFFFFF).to(torch.float64)
    u1 = (hi + 0.5) * (1.0 / 4294967296.0)
    theta = (lo + 0.5) * (2.0 * math.pi / 4294967296.0)
    r = torch.sqrt(torch.log(u1) * -2.0)
    z = torch.stack([r * torch.cos(theta), r * torch.sin(theta)], dim=1).reshape(2 * n_pairs, keys.shape[0])
    return z[:dim].to(dtype).T
