"""Reference attention: scaled dot-product, multi-head, sinusoidal positions.

Source: Vaswani et al., "Attention Is All You Need", NeurIPS 2017
(https://arxiv.org/abs/1706.03762), sections 3.2.1, 3.2.2 and 3.5.
Masks are boolean with True = may attend, the convention of
torch.nn.functional.scaled_dot_product_attention.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


def scaled_dot_product_attention(q, k, v, mask=None):
    """Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k)) V   (Vaswani et al., 2017, eq. 1).

    q (..., Lq, d_k), k (..., Lk, d_k), v (..., Lk, d_v);
    mask: bool broadcastable to (..., Lq, Lk), True = may attend.
    Returns (output (..., Lq, d_v), weights (..., Lq, Lk)).
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., Lq, d_k) x (..., d_k, Lk) -> (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))  # (..., Lq, Lk)
    weights = torch.softmax(scores, dim=-1)  # (..., Lq, Lk), rows sum to 1 over allowed keys
    output = weights @ v  # (..., Lq, Lk) x (..., Lk, d_v) -> (..., Lq, d_v)
    return output, weights


@dataclass
class Projections:
    """The four projections of a multi-head attention layer: y = x W^T + b, as nn.Linear."""

    w_q: torch.Tensor  # (d_model, d_model)
    b_q: torch.Tensor  # (d_model,)
    w_k: torch.Tensor
    b_k: torch.Tensor
    w_v: torch.Tensor
    b_v: torch.Tensor
    w_o: torch.Tensor
    b_o: torch.Tensor


def multi_head_attention(query, key, value, p: Projections, n_heads, mask=None):
    """MultiHead(Q, K, V) = Concat(head_1..head_h) W^O, head_i = Attention(Q W_i^Q, K W_i^K, V W_i^V)
    (Vaswani et al., 2017, sec. 3.2.2), with the h heads as slices of one d_model projection.

    query (B, Lq, d_model), key and value (B, Lk, d_model);
    mask: bool broadcastable to (B, n_heads, Lq, Lk), True = may attend.
    Returns (B, Lq, d_model).
    """
    B, Lq, d_model = query.shape
    Lk = key.size(1)
    head_dim = d_model // n_heads

    def split_heads(x, length):  # (B, L, d_model) -> (B, h, L, hd)
        return x.view(B, length, n_heads, head_dim).transpose(1, 2)

    q = split_heads(query @ p.w_q.T + p.b_q, Lq)  # (B, h, Lq, hd)
    k = split_heads(key @ p.w_k.T + p.b_k, Lk)  # (B, h, Lk, hd)
    v = split_heads(value @ p.w_v.T + p.b_v, Lk)  # (B, h, Lk, hd)
    heads, _ = scaled_dot_product_attention(q, k, v, mask)  # (B, h, Lq, hd)
    merged = heads.transpose(1, 2).reshape(B, Lq, d_model)  # (B, Lq, h, hd) -> (B, Lq, d_model)
    return merged @ p.w_o.T + p.b_o  # (B, Lq, d_model)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with four nn.Linear(d_model, d_model) projections (sec. 3.2.2)."""

    def __init__(self, d_model, n_heads):
        super().__init__()
        assert d_model % n_heads == 0, f"d_model={d_model} is not divisible by n_heads={n_heads}"
        self.n_heads = n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)

    def projections(self) -> Projections:
        return Projections(self.w_q.weight, self.w_q.bias, self.w_k.weight, self.w_k.bias,
                           self.w_v.weight, self.w_v.bias, self.w_o.weight, self.w_o.bias)

    def forward(self, query, key, value, mask=None):
        return multi_head_attention(query, key, value, self.projections(), self.n_heads, mask)


def sinusoidal_positional_encoding(seq_len, d_model):
    """PE(pos, 2i) = sin(pos / 10000^(2i/d_model)), PE(pos, 2i+1) = cos(pos / 10000^(2i/d_model))
    (Vaswani et al., 2017, sec. 3.5).

    Returns float32 (seq_len, d_model); d_model even; positions start at 0.
    """
    position = torch.arange(seq_len, dtype=torch.float64)[:, None]  # (L, 1)
    two_i = torch.arange(0, d_model, 2, dtype=torch.float64)[None, :]  # (1, d_model/2)
    angles = position / 10000 ** (two_i / d_model)  # (L, d_model/2)
    pe = torch.empty(seq_len, d_model, dtype=torch.float64)  # (L, d_model)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.to(torch.get_default_dtype())
