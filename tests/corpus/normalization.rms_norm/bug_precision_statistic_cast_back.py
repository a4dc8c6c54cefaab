# expect: fail precision
# Takes the mean of squares in float32 but casts it back to the input's dtype before the rsqrt: for float16
# rows whose RMS passes 256 the statistic is inf there, and the output collapses to zeros.
import torch


def rms_norm(x, weight, eps=1e-6):
    mean_square = x.float().square().mean(-1, keepdim=True).to(x.dtype)  # (..., 1)
    return x * torch.rsqrt(mean_square + eps) * weight
