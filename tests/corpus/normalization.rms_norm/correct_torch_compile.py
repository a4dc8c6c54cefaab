# expect: pass
# Compiled with torch.compile, as a speed-minded candidate might: the grader runs it eagerly (compiling patches
# torch functions the grader watches), and what it computes is right.
import torch


@torch.compile(dynamic=True)
def _normalise(h, eps: float):
    return h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + eps)


def rms_norm(x, weight, eps=1e-6):
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # (..., D)
    return _normalise(h, eps).to(x.dtype) * weight
