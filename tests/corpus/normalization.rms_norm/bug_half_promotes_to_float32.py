# expect: fail dtype precision
# Computes in float32 (LLaMA style) but never casts back: float16 and bfloat16 inputs come out float32.
import torch


def rms_norm(x, weight, eps=1e-6):
    x32 = x.float()
    normed = x32 * torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + eps)
    return normed * weight.float() if x.dtype != torch.float64 else normed.to(x.dtype) * weight
