# expect: pass
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = torch.tensor(q.size(-1), dtype=q.dtype, device=q.device)
    scores = (q @ k.mT) * torch.rsqrt(d_k)  # (..., Lq, Lk)
    if mask is not None:
        scores = scores.masked_fill(mask.logical_not(), float("-inf"))
    # softmax by hand: subtract the row max so exp cannot overflow
    scores = scores - scores.amax(dim=-1, keepdim=True).detach()
    exp = scores.exp()
    weights = exp / exp.sum(dim=-1, keepdim=True)
    return weights @ v, weights
