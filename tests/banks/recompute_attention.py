"""Recompute every numeric answer of questions/attention.yaml.

Each entry rebuilds the quantity the question asks for with PyTorch: a Monte-Carlo
estimate with a fixed seed, a PyTorch module or functional call, shapes and byte
counts of meta tensors, FlopCounterMode, or a small reimplementation of the method
the question is about (RoPE rotations, the online-softmax recurrence, ALiBi's slope
rule, soft-capping, z-loss). The inputs are the numbers stated in the question's
prompt; no entry returns the stored answer.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

# Seed 004's hand-calculation: three 5-d token vectors for the characters of "笔记本".
SEED_X = [[1, 2, 1, 2, 1], [1, 1, 1, 2, 1], [3, 2, 1, 1, 1]]
GIB = 2**30


def _dot_products(d_k: int, variance: float, n_pairs: int, seed: int) -> torch.Tensor:
    """q . k for n_pairs independent pairs with iid N(0, variance) components."""
    gen = torch.Generator().manual_seed(seed)
    std = math.sqrt(variance)
    chunk = 100_000
    dots = []
    for _ in range(n_pairs // chunk):
        q = torch.randn(chunk, d_k, generator=gen) * std  # (chunk, d_k)
        k = torch.randn(chunk, d_k, generator=gen) * std  # (chunk, d_k)
        dots.append((q * k).sum(dim=-1))  # (chunk,)
    return torch.cat(dots)  # (n_pairs,)


def var_qk_dk64() -> float:
    """Empirical Var(q . k) for d_k = 64 and unit-variance components."""
    return _dot_products(d_k=64, variance=1.0, n_pairs=400_000, seed=0).var().item()


def scaled_score_std() -> float:
    """Empirical std of q . k / sqrt(d_k) for d_k = 128 and component variance 0.5."""
    d_k = 128
    dots = _dot_products(d_k=d_k, variance=0.5, n_pairs=200_000, seed=1)
    return (dots / math.sqrt(d_k)).std().item()


def softmax_saturation_weight() -> float:
    """Largest weight of softmax([16, 8, 0, 0] / sqrt(64))."""
    scores = torch.tensor([16.0, 8.0, 0.0, 0.0], dtype=torch.float64)
    return torch.softmax(scores / math.sqrt(64), dim=-1)[0].item()


def tiny_qk_weights() -> float:
    """Weight on k1 for q = [1, 0], k1 = [1, 1], k2 = [0, 2], read off SDPA with V = I."""
    q = torch.tensor([[1.0, 0.0]], dtype=torch.float64)  # (1, 2)
    k = torch.tensor([[1.0, 1.0], [0.0, 2.0]], dtype=torch.float64)  # (2, 2)
    v = torch.eye(2, dtype=torch.float64)  # (2, 2): output row = attention weights
    weights = F.scaled_dot_product_attention(q, k, v)  # (1, 2)
    return weights[0, 0].item()


def _seed_attention(scale: float) -> torch.Tensor:
    """softmax(scale * X X^T) X for the seed's X."""
    x = torch.tensor(SEED_X, dtype=torch.float64)  # (3, 5)
    weights = torch.softmax(scale * (x @ x.T), dim=-1)  # (3, 3)
    return weights @ x  # (3, 5)


def seed_hand_calc_entry() -> float:
    """Row 2 ("记"), column 1 of softmax(X X^T) X, no scaling."""
    return _seed_attention(scale=1.0)[1, 0].item()


def seed_hand_calc_scaled() -> float:
    """Row 3 ("本"), column 1 of softmax(X X^T / sqrt(5)) X."""
    return _seed_attention(scale=1 / math.sqrt(5))[2, 0].item()


def mha_param_count() -> float:
    """Parameters of nn.MultiheadAttention(512, 8) with biases (the default)."""
    mha = nn.MultiheadAttention(embed_dim=512, num_heads=8, bias=True, device="meta")
    return float(sum(p.numel() for p in mha.parameters()))


def head_dim() -> float:
    """Per-head width PyTorch uses for d_model = 768 and 12 heads."""
    return float(nn.MultiheadAttention(embed_dim=768, num_heads=12, device="meta").head_dim)


def score_matrix_memory() -> float:
    """GiB of the fp16 score tensor Q K^T for batch 1, 32 heads, n = 8192, head_dim = 128."""
    q = torch.empty(1, 32, 8192, 128, dtype=torch.float16, device="meta")  # (B, h, n, d_head)
    scores = q @ q.transpose(-2, -1)  # (B, h, n, n)
    return scores.numel() * scores.element_size() / GIB


def attention_flops() -> float:
    """GFLOP of Q K^T and A V for n = 4096, 16 heads of 64 (one multiply-add = 2 FLOPs)."""
    q = torch.empty(1, 16, 4096, 64, device="meta")  # (B, h, n, d_head); K and V alike
    with FlopCounterMode(display=False) as counter:
        scores = q @ q.transpose(-2, -1)  # (B, h, n, n)
        scores.softmax(dim=-1) @ q  # (B, h, n, d_head)
    return counter.get_total_flops() / 1e9


def _sinusoidal_table(n_positions: int, d_model: int) -> torch.Tensor:
    """PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(same); Vaswani et al. 3.5."""
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (n, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)  # (d/2,)
    angle = pos / 10000 ** (two_i / d_model)  # (n, d/2)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)  # (n, d)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle)
    return pe


def sinusoidal_pe_entry() -> float:
    """PE[pos = 5, dim = 5] for d_model = 16."""
    return _sinusoidal_table(n_positions=6, d_model=16)[5, 5].item()


def kv_cache_size() -> float:
    """GiB of an fp16 KV cache: 32 layers, 32 heads, head_dim 128, 4096 tokens, batch 1."""
    n_layers = 32
    k = torch.empty(1, 32, 4096, 128, dtype=torch.float16, device="meta")  # (B, h, n, d_head)
    v = torch.empty_like(k)  # (B, h, n, d_head)
    per_layer = sum(t.numel() * t.element_size() for t in (k, v))
    return n_layers * per_layer / GIB


def sinusoidal_pe_wavelength() -> float:
    """Wavelength of dimensions 128/129 for d_model = 512, read off the table at pos = 1."""
    row = _sinusoidal_table(n_positions=2, d_model=512)[1]  # (d,): angle omega at pos 1
    omega = math.atan2(row[128].item(), row[129].item())  # sin(omega), cos(omega)
    return 2 * math.pi / omega


def _rope_inv_freq(d: int, base: float) -> torch.Tensor:
    """theta_i = base^(-2i/d) for the d/2 coordinate pairs (Su et al., 2021)."""
    return 1.0 / base ** (torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)


def _rope_rotate(x: torch.Tensor, pos: int, base: float) -> torch.Tensor:
    """Interleaved RoPE: rotate pairs (x_2i, x_2i+1) of a (d,) vector by pos * theta_i."""
    angle = pos * _rope_inv_freq(x.numel(), base)  # (d/2,)
    even, odd = x[0::2], x[1::2]  # (d/2,) each
    out = torch.empty_like(x)
    out[0::2] = even * angle.cos() - odd * angle.sin()
    out[1::2] = even * angle.sin() + odd * angle.cos()
    return out


def rope_rotation_angle() -> float:
    """Unwrapped angle of pair i = 8 at position 100, d = 128, base 10,000.

    The rotation is applied to e_16 and its wrapped angle read back; the whole turns are
    counted from the unwrapped angle pos * theta_8, which the wrapped reading must match.
    """
    d, base, pos, i = 128, 10_000.0, 100, 8
    x = torch.zeros(d, dtype=torch.float64)
    x[2 * i] = 1.0
    rotated = _rope_rotate(x, pos, base)
    wrapped = math.atan2(rotated[2 * i + 1].item(), rotated[2 * i].item())  # in (-pi, pi]
    unwrapped = pos * _rope_inv_freq(d, base)[i].item()
    turns = round((unwrapped - wrapped) / (2 * math.pi))
    return wrapped + 2 * math.pi * turns


def rope_longest_wavelength() -> float:
    """2 pi / theta_63 for d = 128, base 10,000."""
    return 2 * math.pi / _rope_inv_freq(128, 10_000.0)[63].item()


def rope_ntk_aware_base() -> float:
    """b' = b * s^(d/(d-2)) for b = 10,000, s = 4, d = 128; checks the slowest pair slows by s."""
    d, base, s = 128, 10_000.0, 4.0
    new_base = base * s ** (d / (d - 2))
    slow_old, slow_new = _rope_inv_freq(d, base)[-1].item(), _rope_inv_freq(d, new_base)[-1].item()
    assert math.isclose(slow_old / slow_new, s, rel_tol=1e-9)
    return new_base


def _kv_cache_bytes(layers: int, kv_heads: int, head_dim: int, seq_len: int, batch: int,
                    dtype: torch.dtype) -> int:
    """Bytes of the K and V cache tensors, built as meta tensors of shape (batch, kv_heads, seq, head_dim)."""
    k = torch.empty(batch, kv_heads, seq_len, head_dim, dtype=dtype, device="meta")
    v = torch.empty_like(k)
    return layers * sum(t.numel() * t.element_size() for t in (k, v))


def gqa_kv_cache_70b() -> float:
    """GiB for 80 layers, 8 KV heads of 128, 4096 tokens, batch 8, fp16."""
    return _kv_cache_bytes(80, 8, 128, 4096, 8, torch.float16) / GIB


def gqa_tokens_in_budget() -> float:
    """Tokens of a 32-layer, 8-KV-head, head_dim 128, bf16 cache that fit in 40 GiB."""
    per_token = _kv_cache_bytes(32, 8, 128, seq_len=1, batch=1, dtype=torch.bfloat16)
    return float((40 * GIB) // per_token)


def mla_cache_ratio() -> float:
    """MHA (128 heads of 128, K and V) over MLA (latent 512 + RoPE key 64) per token and layer."""
    mha = _kv_cache_bytes(1, 128, 128, 1, 1, torch.bfloat16)
    latent = torch.empty(1, 1, 512, dtype=torch.bfloat16, device="meta")  # (B, T, d_c)
    rope_key = torch.empty(1, 1, 64, dtype=torch.bfloat16, device="meta")  # (B, T, d_h^R)
    mla = sum(t.numel() * t.element_size() for t in (latent, rope_key))
    return mha / mla


def online_softmax_step() -> float:
    """Running sum l after blocks [2, 1] and [3, 0], checked against the one-pass sum."""
    m = torch.tensor(float("-inf"), dtype=torch.float64)
    l = torch.tensor(0.0, dtype=torch.float64)
    blocks = [torch.tensor([2.0, 1.0], dtype=torch.float64), torch.tensor([3.0, 0.0], dtype=torch.float64)]
    for s in blocks:
        m_new = torch.maximum(m, s.max())
        l = l * torch.exp(m - m_new) + torch.exp(s - m_new).sum()
        m = m_new
    everything = torch.cat(blocks)  # (4,)
    assert torch.isclose(l, torch.exp(everything - everything.max()).sum())
    return l.item()


def flash_lse_vs_matrix() -> float:
    """fp16 probability matrix bytes over fp32 log-sum-exp bytes, batch 1, 32 heads, N = 8192."""
    probs = torch.empty(1, 32, 8192, 8192, dtype=torch.float16, device="meta")  # (B, h, N, N)
    lse = torch.empty(1, 32, 8192, dtype=torch.float32, device="meta")  # (B, h, N)
    return (probs.numel() * probs.element_size()) / (lse.numel() * lse.element_size())


def _alibi_slopes(n_heads: int) -> list[float]:
    """ALiBi slopes as in the reference get_slopes (Press et al.): geometric for powers of 2,
    otherwise the closest power of 2 plus every other slope of twice that many heads."""
    def power_of_2(n: int) -> list[float]:
        start = 2 ** (-8 / n)
        return [start ** (h + 1) for h in range(n)]
    if math.log2(n_heads).is_integer():
        return power_of_2(n_heads)
    closest = 2 ** math.floor(math.log2(n_heads))
    return power_of_2(closest) + _alibi_slopes(2 * closest)[0::2][: n_heads - closest]


def _alibi_bias(n_heads: int, n_positions: int) -> torch.Tensor:
    """(heads, n, n) bias -m_h * (i - j) for keys j <= i (causal part only)."""
    slopes = torch.tensor(_alibi_slopes(n_heads), dtype=torch.float64)  # (heads,)
    pos = torch.arange(n_positions, dtype=torch.float64)
    distance = (pos[:, None] - pos[None, :]).clamp(min=0)  # (n, n): i - j below the diagonal
    return -slopes[:, None, None] * distance  # (heads, n, n)


def alibi_slope() -> float:
    """Slope of head 3 (1-based) of 16."""
    return _alibi_slopes(16)[3 - 1]


def alibi_bias_non_power_of_two() -> float:
    """Bias of head 12 (1-based) of 12 for query 100, key 60."""
    return _alibi_bias(12, 101)[12 - 1, 100, 60].item()


def softcap_value() -> float:
    """Gemma 2 soft-capping cap * tanh(x / cap) of x = 60 with cap = 50."""
    cap = 50.0
    x = torch.tensor(60.0, dtype=torch.float64)
    return (cap * torch.tanh(x / cap)).item()


def z_loss_value() -> float:
    """PaLM z-loss 1e-4 * log^2 Z for logits [10, 8, 5]."""
    logits = torch.tensor([10.0, 8.0, 5.0], dtype=torch.float64)
    return (1e-4 * torch.logsumexp(logits, dim=-1) ** 2).item()


def qk_norm_logit_bound() -> float:
    """max q.k / sqrt(d) for unit-gain RMS-normalised q, k with d = 128 (reached at k = q)."""
    d = 128
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(d, generator=gen, dtype=torch.float64)
    q = F.rms_norm(x, (d,), eps=0.0)  # (d,), norm sqrt(d)
    bound = (q @ q / math.sqrt(d)).item()
    others = F.rms_norm(torch.randn(1000, d, generator=gen, dtype=torch.float64), (d,), eps=0.0)  # (1000, d)
    assert (others @ q / math.sqrt(d)).abs().max().item() <= bound + 1e-9
    return bound


RECOMPUTE: dict[str, Callable[[], float]] = {
    "attention.var-qk-dk64": var_qk_dk64,
    "attention.scaled-score-std": scaled_score_std,
    "attention.softmax-saturation-weight": softmax_saturation_weight,
    "attention.tiny-qk-weights": tiny_qk_weights,
    "attention.seed-hand-calc-entry": seed_hand_calc_entry,
    "attention.seed-hand-calc-scaled": seed_hand_calc_scaled,
    "attention.mha-param-count": mha_param_count,
    "attention.head-dim": head_dim,
    "attention.score-matrix-memory": score_matrix_memory,
    "attention.attention-flops": attention_flops,
    "attention.sinusoidal-pe-entry": sinusoidal_pe_entry,
    "attention.kv-cache-size": kv_cache_size,
    "attention.sinusoidal-pe-wavelength": sinusoidal_pe_wavelength,
    "attention.rope-rotation-angle": rope_rotation_angle,
    "attention.rope-longest-wavelength": rope_longest_wavelength,
    "attention.rope-ntk-aware-base": rope_ntk_aware_base,
    "attention.gqa-kv-cache-70b": gqa_kv_cache_70b,
    "attention.gqa-tokens-in-budget": gqa_tokens_in_budget,
    "attention.mla-cache-ratio": mla_cache_ratio,
    "attention.online-softmax-step": online_softmax_step,
    "attention.flash-lse-vs-matrix": flash_lse_vs_matrix,
    "attention.alibi-slope": alibi_slope,
    "attention.alibi-bias-non-power-of-two": alibi_bias_non_power_of_two,
    "attention.softcap-value": softcap_value,
    "attention.z-loss-value": z_loss_value,
    "attention.qk-norm-logit-bound": qk_norm_logit_bound,
}
