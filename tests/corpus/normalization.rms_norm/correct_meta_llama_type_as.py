# expect: pass
import torch


def rms_norm(x, weight, eps=1e-6):
    # Meta's llama RMSNorm: _norm(x.float()).type_as(x) * weight, here without the float() cast,
    # so float64 stays float64.
    normed = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return normed.type_as(x) * weight
