# expect: pass
import torch


def scaled_dot_product_attention(q, k, v, mask=None):
    d_k = q.size(-1)
    scores = torch.matmul(q, torch.transpose(k, -1, -2)) / d_k ** 0.5
    if mask is not None:
        neg_inf = torch.full_like(scores, float("-inf"))
        scores = torch.where(mask, scores, neg_inf)
    p_attn = torch.nn.functional.softmax(scores, dim=-1)
    return torch.matmul(p_attn, v), p_attn
