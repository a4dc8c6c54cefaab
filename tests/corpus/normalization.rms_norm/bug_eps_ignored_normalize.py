# expect: fail eps
# lucidrains' RMSNorm: F.normalize(x, dim=-1) * sqrt(D) * weight, computed in float32 for half precision.
# F.normalize clamps the norm at 1e-12, so eps never enters: rows whose mean square is near eps come out wrong.
import torch
import torch.nn.functional as F


def rms_norm(x, weight, eps=1e-6):
    h = x.to(torch.promote_types(x.dtype, torch.float32))
    return (F.normalize(h, p=2, dim=-1) * h.shape[-1] ** 0.5).to(x.dtype) * weight
