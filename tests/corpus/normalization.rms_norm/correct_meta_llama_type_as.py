# expect: pass
import torch


def rms_norm(x, weight, eps=1e-6):
    # Meta's llama RMSNorm: _norm(x.float()).type_as(x) * weight, with the cast promoting instead of .float(),
    # so that float16 is normalised in float32 and float64 stays float64.
    h = x.to(torch.promote_types(x.dtype, torch.float32))
    normed = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)
    return normed.type_as(x) * weight
