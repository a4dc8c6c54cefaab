"""The attention references against PyTorch's own implementations (values and gradients)."""
import math

import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st
from torch import nn

from qkv.reference import attention as ref

SETTINGS = settings(max_examples=40, deadline=None, database=None)


def _randn(gen, *shape):
    return torch.randn(*shape, generator=gen, dtype=torch.float64, requires_grad=True)


@SETTINGS
@given(batch=st.lists(st.integers(1, 3), max_size=2), lq=st.integers(1, 5), lk=st.integers(1, 5),
       d_k=st.integers(1, 6), d_v=st.integers(1, 6), masked=st.booleans(), seed=st.integers(0, 2**31))
def test_sdpa_matches_torch(batch, lq, lk, d_k, d_v, masked, seed):
    gen = torch.Generator().manual_seed(seed)
    q, k, v = _randn(gen, *batch, lq, d_k), _randn(gen, *batch, lk, d_k), _randn(gen, *batch, lk, d_v)
    mask = None
    if masked:
        mask = torch.rand(*batch, lq, lk, generator=gen) < 0.6
        mask[..., 0] = True  # never a fully masked row
    out, weights = ref.scaled_dot_product_attention(q, k, v, mask)
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    torch.testing.assert_close(out, expected)
    assert weights.shape == (*batch, lq, lk)
    torch.testing.assert_close(weights.sum(-1), torch.ones(*batch, lq, dtype=torch.float64))
    upstream = torch.randn(out.shape, generator=gen, dtype=torch.float64)
    got = torch.autograd.grad(out, (q, k, v), upstream)
    want = torch.autograd.grad(expected, (q, k, v), upstream)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w)


@SETTINGS
@given(batch=st.integers(1, 3), lq=st.integers(1, 5), lk=st.integers(1, 5), n_heads=st.integers(1, 4),
       head_dim=st.integers(1, 4), masked=st.booleans(), seed=st.integers(0, 2**31))
def test_mha_matches_nn_multihead_attention(batch, lq, lk, n_heads, head_dim, masked, seed):
    torch.manual_seed(seed)
    d_model = n_heads * head_dim
    mine = ref.MultiHeadAttention(d_model, n_heads).double()
    theirs = nn.MultiheadAttention(d_model, n_heads, batch_first=True).double()
    with torch.no_grad():  # copy our weights into PyTorch's fused in_proj
        theirs.in_proj_weight.copy_(torch.cat([mine.w_q.weight, mine.w_k.weight, mine.w_v.weight]))
        theirs.in_proj_bias.copy_(torch.cat([mine.w_q.bias, mine.w_k.bias, mine.w_v.bias]))
        theirs.out_proj.weight.copy_(mine.w_o.weight)
        theirs.out_proj.bias.copy_(mine.w_o.bias)
    query = torch.randn(batch, lq, d_model, dtype=torch.float64)
    key = torch.randn(batch, lk, d_model, dtype=torch.float64)
    value = torch.randn(batch, lk, d_model, dtype=torch.float64)
    mask = None
    if masked:
        mask = torch.rand(batch, 1, lq, lk) < 0.6
        mask[..., 0] = True
    got = mine(query, key, value, mask)
    # nn.MultiheadAttention's boolean attn_mask means True = NOT allowed, one (Lq, Lk) per batch*head.
    attn_mask = None if mask is None else (~mask).expand(batch, n_heads, lq, lk).reshape(batch * n_heads, lq, lk)
    want, _ = theirs(query, key, value, attn_mask=attn_mask, need_weights=False)
    torch.testing.assert_close(got, want)


@given(seq_len=st.integers(1, 50), half=st.integers(1, 16))
@settings(max_examples=30, deadline=None, database=None)
def test_sinusoidal_pe_matches_the_formula(seq_len, half):
    d_model = 2 * half
    pe = ref.sinusoidal_positional_encoding(seq_len, d_model)
    assert pe.shape == (seq_len, d_model) and pe.dtype == torch.float32
    for pos in {0, seq_len - 1, seq_len // 2}:
        for i in range(half):
            angle = pos / 10000 ** (2 * i / d_model)
            assert math.isclose(pe[pos, 2 * i].item(), math.sin(angle), abs_tol=1e-6)
            assert math.isclose(pe[pos, 2 * i + 1].item(), math.cos(angle), abs_tol=1e-6)
