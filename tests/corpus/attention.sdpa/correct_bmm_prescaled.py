# expect: pass
import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    *batch, lq, d_k = q.shape
    lk, d_v = k.size(-2), v.size(-1)
    # fold all leading dims into one so bmm can be used
    q3 = q.reshape(-1, lq, d_k) * d_k ** -0.5
    k3 = k.reshape(-1, lk, d_k)
    v3 = v.reshape(-1, lk, d_v)
    scores = torch.bmm(q3, k3.transpose(1, 2)).view(*batch, lq, lk)
    if mask is not None:
        scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
    attn = F.softmax(scores, dim=-1)
    out = torch.bmm(attn.reshape(-1, lq, lk), v3).view(*batch, lq, d_v)
    return out, attn
