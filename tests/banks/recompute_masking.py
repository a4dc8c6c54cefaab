"""Recompute every numeric answer of questions/masking.yaml.

Each entry rebuilds the quantity the question asks for with PyTorch: it builds the
boolean mask the prompt describes (True = may attend; causal, padding, document,
sliding-window, global or bottom-right aligned) and counts its entries, runs
F.softmax or F.cross_entropy on the stated logits, reads torch.finfo, counts the
scores a KV-cached decoding loop computes, replays the writes and evictions of a
rolling or StreamingLLM cache, sizes a cache tensor on the meta device, propagates
a sliding window's reach through the layers, or runs a small beam search over the
stated probability table. The inputs are the numbers stated in the question's
prompt; no entry returns the stored answer.
"""
from __future__ import annotations

from typing import Callable

import torch
import torch.nn.functional as F


def _query_key_offsets(seq_len: int) -> torch.Tensor:
    """offsets[i, j] = i - j for query i and key j."""
    positions = torch.arange(seq_len)  # (L,)
    return positions[:, None] - positions[None, :]  # (L, 1) - (1, L) -> (L, L)


def _document_ids(lengths: list[int]) -> torch.Tensor:
    """doc_ids[t] = index of the document that packed position t belongs to."""
    return torch.repeat_interleave(torch.arange(len(lengths)), torch.tensor(lengths))  # (L,)


def _same_document(lengths: list[int]) -> torch.Tensor:
    """same[i, j] = positions i and j of the packed row belong to the same document."""
    doc_ids = _document_ids(lengths)  # (L,)
    return doc_ids[:, None] == doc_ids[None, :]  # (L, 1) == (1, L) -> (L, L)


def _document_causal_mask(lengths: list[int]) -> torch.Tensor:
    """Block-diagonal causal keep-mask of documents of the given lengths packed into one row."""
    return _same_document(lengths) & (_query_key_offsets(sum(lengths)) >= 0)  # (L, L)


def _filled_softmax(logits: list[float], masked: list[bool], fill: float) -> torch.Tensor:
    """softmax of float64 logits after setting the masked entries to `fill`."""
    scores = torch.tensor(logits, dtype=torch.float64)  # (Lk,)
    return F.softmax(scores.masked_fill(torch.tensor(masked), fill), dim=-1)  # (Lk,)


def causal_mask_true_count() -> float:
    """True entries of torch.tril(ones(6, 6)) used as a keep-mask."""
    keep = torch.tril(torch.ones(6, 6, dtype=torch.bool))  # (L, L)
    return float(keep.sum())


def decoder_mask_allowed_fraction() -> float:
    """Allowed share of a (B, L, L) causal AND key-padding mask, lengths 3 and 5, L = 5."""
    lengths = torch.tensor([3, 5])  # (B,)
    seq_len = 5
    causal = _query_key_offsets(seq_len) >= 0  # (L, L), j <= i
    real_keys = torch.arange(seq_len)[None, :] < lengths[:, None]  # (B, L)
    keep = causal[None, :, :] & real_keys[:, None, :]  # (1, L, L) & (B, 1, L) -> (B, L, L)
    return keep.float().mean().item()


def masked_softmax_value() -> float:
    """Weight of key 0 in softmax([0.5, 2.0, -1.0, 4.0]) with key 3 masked."""
    weights = _filled_softmax([0.5, 2.0, -1.0, 4.0], [False, False, False, True], float("-inf"))  # (Lk,)
    return weights[0].item()


def fill_too_small_leak() -> float:
    """Weight of a pad key filled with -5 next to two real keys with logits 0."""
    return _filled_softmax([0.0, 0.0, 0.0], [False, False, True], -5.0)[2].item()


def exp_underflow_weight() -> float:
    """Weight of the third entry of softmax([3.0, 1.0, -1e9]) in float32."""
    scores = torch.tensor([3.0, 1.0, -1e9], dtype=torch.float32)  # (Lk,)
    return F.softmax(scores, dim=-1)[2].item()


def fp16_max() -> float:
    """Largest finite float16, from torch.finfo, checked against (2 - 2^-10) * 2^15."""
    largest = torch.finfo(torch.float16).max
    assert largest == (2 - 2**-10) * 2**15  # 10 mantissa bits, largest exponent 15
    return float(largest)


def sliding_window_keys() -> float:
    """Allowed pairs of a causal sliding window, 0 <= i - j < W, for W = 4 and L = 10."""
    offsets = _query_key_offsets(10)  # (L, L)
    keep = (offsets >= 0) & (offsets < 4)  # (L, L)
    return float(keep.sum())


def prefix_lm_allowed_pairs() -> float:
    """Allowed pairs of a prefix-LM mask: prefix P = 3 bidirectional, then causal; L = 6."""
    prefix_len, seq_len = 3, 6
    causal = _query_key_offsets(seq_len) >= 0  # (L, L)
    key_in_prefix = torch.arange(seq_len) < prefix_len  # (L,)
    keep = causal | key_in_prefix[None, :]  # (L, L): every query also sees the whole prefix
    return float(keep.sum())


def bert_expected_mask_tokens() -> float:
    """Expected [MASK] replacements in 512 tokens (select 15%, 80% of those become [MASK]),
    in closed form next to a Monte-Carlo run of the recipe over 2000 sequences."""
    seq_len, select_prob, mask_prob = 512, 0.15, 0.8
    expected = seq_len * select_prob * mask_prob
    gen = torch.Generator().manual_seed(0)
    selected = torch.rand(2000, seq_len, generator=gen) < select_prob  # (N, L)
    to_mask_token = torch.rand(2000, seq_len, generator=gen) < mask_prob  # (N, L): the 80% branch
    simulated = (selected & to_mask_token).sum(dim=-1).double().mean().item()
    assert abs(simulated - expected) < 1.0, (simulated, expected)  # std of the mean is about 0.16
    return expected


def loss_mask_wrong_denominator() -> float:
    """Masked per-token cross-entropy averaged over all B * L positions (the bug)."""
    lengths = torch.tensor([7, 4, 5])  # (B,)
    seq_len, vocab = 7, 8
    logits = torch.zeros(len(lengths), seq_len, vocab)  # (B, L, V), uniform predictions
    targets = torch.zeros(len(lengths), seq_len, dtype=torch.long)  # (B, L), any class
    per_token = F.cross_entropy(logits.reshape(-1, vocab), targets.reshape(-1), reduction="none")  # (B*L,)
    real = (torch.arange(seq_len)[None, :] < lengths[:, None]).reshape(-1)  # (B*L,)
    return (per_token * real).mean().item()


def kv_cache_dot_products() -> float:
    """Scores computed by 30 single-query decoding steps after a 20-token prefill."""
    prompt_len, n_steps, d = 20, 30, 4
    keys = torch.zeros(prompt_len, d)  # (S, d): the cache after prefill
    n_scores = 0
    for _ in range(n_steps):
        keys = torch.cat([keys, torch.zeros(1, d)])  # (S + 1, d): append the new token's key
        query = torch.zeros(1, d)  # (1, d): the new token is the only query
        n_scores += (query @ keys.T).numel()  # (1, S + 1)
    return float(n_scores)


def beam_search_prob() -> float:
    """Probability of the width-2 beam-search result for the prompt's two-step table."""
    first = {"A": 0.5, "B": 0.4, "C": 0.1}
    second = {
        "A": {"x": 0.4, "y": 0.3, "z": 0.3},
        "B": {"x": 0.9, "y": 0.05, "z": 0.05},
        "C": {"x": 0.95, "y": 0.03, "z": 0.02},
    }
    beam = sorted(first.items(), key=lambda item: item[1], reverse=True)[:2]
    candidates = [p * q for token, p in beam for q in second[token].values()]
    return max(candidates)


def document_mask_allowed_count() -> float:
    """Allowed pairs of the document (block-diagonal causal) mask for documents 3, 5, 2."""
    return float(_document_causal_mask([3, 5, 2]).sum())


def cross_document_share() -> float:
    """Share of the row's causal pairs that a document mask removes: 8 documents of 128 tokens."""
    lengths = [128] * 8
    causal = _query_key_offsets(sum(lengths)) >= 0  # (L, L)
    document = _document_causal_mask(lengths)  # (L, L)
    assert not (document & ~causal).any()  # the document mask only removes pairs
    return 1.0 - document.sum().item() / causal.sum().item()


def padding_vs_varlen_cost() -> float:
    """Score entries a varlen kernel avoids, relative to padding lengths 512, 128, 128, 256 to 512."""
    lengths = torch.tensor([512, 128, 128, 256])  # (B,)
    max_len = int(lengths.max())
    padded = torch.ones(len(lengths), max_len, max_len, dtype=torch.bool).sum().item()  # (B, L, L) computed
    cu_seqlens = F.pad(lengths.cumsum(0), (1, 0))  # (B + 1,)
    varlen = _same_document(lengths.tolist()).sum().item()  # (T, T): only the n x n blocks, bidirectional
    assert varlen == sum(int(n) ** 2 for n in cu_seqlens.diff())
    return 1.0 - varlen / padded


def rolling_cache_slot() -> float:
    """Slot of position 10000 in a rolling buffer of W = 4096 slots, found by writing positions in turn."""
    window, target = 4096, 10000
    slot_pos = torch.full((window,), -1)  # (W,): position held by each slot
    positions = torch.arange(target + 1)  # (P,)
    for start in range(0, target + 1, window):  # write W positions at a time, slot = p mod W
        chunk = positions[start:start + window]
        slot_pos[torch.remainder(chunk, window)] = chunk
    return float((slot_pos == target).nonzero().item())


def sliding_window_kv_memory() -> float:
    """MiB of a full rolling cache: 32 layers, K and V, 8 KV heads of 128, W = 4096, float16."""
    cache = torch.empty(32, 2, 8, 4096, 128, dtype=torch.float16, device="meta")  # (layers, K/V, H_kv, W, d)
    return cache.numel() * cache.element_size() / 2**20


def _reach_after(n_layers: int, window: int, length: int) -> int:
    """Largest i - j such that position j influences the last position after n_layers causal windows.

    Propagates the set of influencing positions backwards one layer at a time: position t at layer
    l - 1 reaches the last position if some position in t .. t + window - 1 does at layer l (a
    sliding-window sum, taken with a cumulative sum).
    """
    reach = torch.zeros(length, dtype=torch.long)  # (L,): 1 where a position influences the last one
    reach[-1] = 1
    for _ in range(n_layers):
        totals = F.pad(reach.cumsum(0), (1, window - 1), value=int(reach.sum()))  # (L + W,)
        totals[0] = 0
        reach = (totals[window:] - totals[:length] > 0).long()  # (L,): sum over t .. t + W - 1
    first = int(reach.nonzero()[0])
    return length - 1 - first


def mistral_theoretical_span() -> float:
    """Span of 32 layers of a W = 4096 causal window, checked against the boolean matrix power on a small case."""
    small_len, small_w, small_layers = 30, 4, 3
    offsets = _query_key_offsets(small_len)
    band = ((offsets >= 0) & (offsets < small_w)).double()  # (L, L)
    reach = torch.linalg.matrix_power(band, small_layers)[-1] > 0  # (L,): who reaches the last query
    assert small_len - 1 - int(reach.nonzero()[0]) == _reach_after(small_layers, small_w, small_len)
    return float(_reach_after(32, 4096, 140_000))


def streaming_llm_oldest_recent() -> float:
    """Oldest non-sink position in a 4-sink + 1020-recent StreamingLLM cache after positions 0..5000."""
    n_sink, n_recent = 4, 1020
    cache: list[int] = []
    for pos in range(5001):
        cache.append(pos)
        if len(cache) > n_sink + n_recent:
            del cache[n_sink]  # evict the oldest entry after the sinks
    assert cache[:n_sink] == list(range(n_sink))
    return float(cache[n_sink])


def longformer_global_count() -> float:
    """Allowed pairs of a |i - j| <= 2 band on 12 tokens with token 0 global (row and column open)."""
    offsets = _query_key_offsets(12)  # (L, L)
    keep = offsets.abs() <= 2  # (L, L)
    is_global = torch.arange(12) == 0  # (L,)
    keep = keep | is_global[:, None] | is_global[None, :]  # global rows and columns
    return float(keep.sum())


def chunked_prefill_allowed_pairs() -> float:
    """Allowed pairs for 3 new queries (positions 6-8) over 9 keys, causal aligned bottom-right.

    The keep-mask is built from absolute positions; SDPA with causal_lower_right(3, 9) must give
    the same output, which checks the alignment.
    """
    from torch.nn.attention.bias import causal_lower_right

    n_cached, n_new = 6, 3
    query_pos = torch.arange(n_cached, n_cached + n_new)  # (Lq,)
    key_pos = torch.arange(n_cached + n_new)  # (Lk,)
    keep = key_pos[None, :] <= query_pos[:, None]  # (Lq, Lk)
    gen = torch.Generator().manual_seed(0)
    q = torch.randn(1, 1, n_new, 8, generator=gen)  # (B, H, Lq, d)
    k = torch.randn(1, 1, n_cached + n_new, 8, generator=gen)  # (B, H, Lk, d)
    v = torch.randn(1, 1, n_cached + n_new, 8, generator=gen)  # (B, H, Lk, d)
    ours = F.scaled_dot_product_attention(q, k, v, attn_mask=keep)
    lower_right = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(n_new, n_cached + n_new))
    assert torch.allclose(ours, lower_right, atol=1e-6)
    return float(keep.sum())


RECOMPUTE: dict[str, Callable[[], float]] = {
    "masking.causal-mask-true-count": causal_mask_true_count,
    "masking.decoder-mask-allowed-fraction": decoder_mask_allowed_fraction,
    "masking.masked-softmax-value": masked_softmax_value,
    "masking.fill-too-small-leak": fill_too_small_leak,
    "masking.exp-underflow-weight": exp_underflow_weight,
    "masking.fp16-max": fp16_max,
    "masking.sliding-window-keys": sliding_window_keys,
    "masking.prefix-lm-allowed-pairs": prefix_lm_allowed_pairs,
    "masking.bert-expected-mask-tokens": bert_expected_mask_tokens,
    "masking.loss-mask-wrong-denominator": loss_mask_wrong_denominator,
    "masking.kv-cache-dot-products": kv_cache_dot_products,
    "masking.beam-search-prob": beam_search_prob,
    "masking.document-mask-allowed-count": document_mask_allowed_count,
    "masking.cross-document-share": cross_document_share,
    "masking.padding-vs-varlen-cost": padding_vs_varlen_cost,
    "masking.rolling-cache-slot": rolling_cache_slot,
    "masking.sliding-window-kv-memory": sliding_window_kv_memory,
    "masking.mistral-theoretical-span": mistral_theoretical_span,
    "masking.streaming-llm-oldest-recent": streaming_llm_oldest_recent,
    "masking.longformer-global-count": longformer_global_count,
    "masking.chunked-prefill-allowed-pairs": chunked_prefill_allowed_pairs,
}
