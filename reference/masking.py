"""Reference attention masks and the masked softmax.

Convention: boolean masks, True = may attend / real token, as in
torch.nn.functional.scaled_dot_product_attention (note that nn.MultiheadAttention's
attn_mask and key_padding_mask use the opposite polarity). Causal masking is from
Vaswani et al., 2017, sec. 3.2.3 ("masking out (setting to -inf) all values in the
input of the softmax which correspond to illegal connections").
"""
from __future__ import annotations

import torch


def causal_mask(seq_len, device=None):
    """mask[i, j] = j <= i: query i may attend to itself and earlier keys.

    Returns bool (seq_len, seq_len) on `device`.
    """
    ones = torch.ones(seq_len, seq_len, dtype=torch.bool, device=device)  # (L, L)
    return torch.tril(ones)  # (L, L), lower triangle with the diagonal


def padding_mask(lengths, max_len):
    """mask[b, t] = t < lengths[b]: True at real tokens, False at padding.

    lengths int64 (B,). Returns bool (B, max_len) on lengths' device.
    """
    positions = torch.arange(max_len, device=lengths.device)  # (max_len,)
    return positions[None, :] < lengths[:, None]  # (1, max_len) < (B, 1) -> (B, max_len)


def decoder_self_attention_mask(lengths, max_len):
    """mask[b, 0, i, j] = (j <= i) and (j < lengths[b]): causal AND key padding.

    lengths int64 (B,). Returns bool (B, 1, max_len, max_len) on lengths' device.
    """
    causal = causal_mask(max_len, device=lengths.device)  # (L, L)
    keys = padding_mask(lengths, max_len)  # (B, L), masks key columns
    return causal[None, None, :, :] & keys[:, None, None, :]  # (1, 1, L, L) & (B, 1, 1, L) -> (B, 1, L, L)


def masked_softmax(scores, mask, dim=-1):
    """softmax over `dim` of the kept entries; masked entries are exactly 0, and a slice
    with nothing kept is all zeros (with zero gradient) instead of NaN.

    p_i = exp(s_i - m) [mask_i] / sum_j exp(s_j - m) [mask_j], m = max of the kept s_j.
    scores float (...); mask bool broadcastable to scores. Returns scores' shape and dtype.
    Masked scores are filled with the most negative finite value rather than -inf: an
    all-masked slice then gives a finite (uniform) softmax, so neither its value nor its
    gradient becomes NaN, and the final fill zeroes it.
    """
    very_negative = torch.finfo(scores.dtype).min
    filled = scores.masked_fill(~mask, very_negative)  # (...), exp of masked scores underflows to 0
    probs = torch.softmax(filled, dim=dim)  # (...), max-subtracted inside: stable for large scores
    return probs.masked_fill(~mask, 0.0)  # (...), masked and all-masked entries exactly 0
