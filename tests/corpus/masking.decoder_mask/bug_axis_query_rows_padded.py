# expect: fail axis
# The lengths tested on the query index i (rows) instead of the key index j: the shape is right, but the
# rows of queries past the length come out all False instead of seeing the real keys.
import torch


def decoder_self_attention_mask(lengths, max_len):
    pos = torch.arange(max_len, device=lengths.device)
    sees = pos[None, :] <= pos[:, None]  # (L, L), key j <= query i
    real_query = pos[None, :] < lengths[:, None]  # (B, L)
    return (sees[None] & real_query[:, :, None]).unsqueeze(1)
