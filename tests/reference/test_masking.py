"""The masking references against PyTorch's own functions and definitions."""
import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

from qkv.reference import masking as ref

SETTINGS = settings(max_examples=40, deadline=None, database=None)


@SETTINGS
@given(seq_len=st.integers(1, 12))
def test_causal_mask_is_what_sdpa_is_causal_uses(seq_len):
    mask = ref.causal_mask(seq_len)
    assert mask.dtype == torch.bool and mask.shape == (seq_len, seq_len)
    q, k, v = (torch.randn(1, seq_len, 3, dtype=torch.float64) for _ in range(3))
    torch.testing.assert_close(F.scaled_dot_product_attention(q, k, v, attn_mask=mask),
                               F.scaled_dot_product_attention(q, k, v, is_causal=True))


def test_causal_mask_honours_device():
    assert ref.causal_mask(3, device="meta").device.type == "meta"


@SETTINGS
@given(lengths=st.lists(st.integers(0, 8), min_size=1, max_size=4), extra=st.integers(0, 3))
def test_padding_and_decoder_masks_follow_their_definitions(lengths, extra):
    max_len = max(lengths) + extra
    lengths_t = torch.tensor(lengths, dtype=torch.int64)
    pad = ref.padding_mask(lengths_t, max_len)
    dec = ref.decoder_self_attention_mask(lengths_t, max_len)
    assert pad.shape == (len(lengths), max_len) and dec.shape == (len(lengths), 1, max_len, max_len)
    for b, length in enumerate(lengths):
        assert pad[b].tolist() == [t < length for t in range(max_len)]
        for i in range(max_len):
            assert dec[b, 0, i].tolist() == [j <= i and j < length for j in range(max_len)]


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), dim_index=st.integers(0, 2),
       scale=st.sampled_from([1.0, 1e4]), seed=st.integers(0, 2**31))
def test_masked_softmax_matches_softmax_over_kept_entries(shape, dim_index, scale, seed):
    gen = torch.Generator().manual_seed(seed)
    dim = dim_index % len(shape)
    scores = (torch.randn(*shape, generator=gen, dtype=torch.float64) * scale).requires_grad_()
    mask = torch.rand(*shape, generator=gen) < 0.5
    probs = ref.masked_softmax(scores, mask, dim=dim)
    # Expected, slice by slice: softmax of the kept entries, zeros elsewhere.
    moved_scores, moved_mask = scores.detach().movedim(dim, -1), mask.movedim(dim, -1)
    expected = torch.zeros_like(moved_scores)
    for index in np.ndindex(moved_scores.shape[:-1]):
        kept = moved_mask[index]
        if kept.any():
            expected[index][kept] = torch.softmax(moved_scores[index][kept], dim=0)
    torch.testing.assert_close(probs.detach(), expected.movedim(-1, dim))
    grad, = torch.autograd.grad(probs, scores, torch.randn(*shape, generator=gen, dtype=torch.float64))
    assert torch.isfinite(grad).all()
    assert (grad[~mask] == 0).all()
