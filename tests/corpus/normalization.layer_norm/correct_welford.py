# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    """Welford's running mean and M2 along the last dim, one feature at a time (in float32 for half
    precision, whose squares overflow past 256)."""
    dtype = x.dtype
    x = x.to(torch.promote_types(dtype, torch.float32))
    mean = torch.zeros_like(x[..., 0])
    m2 = torch.zeros_like(x[..., 0])
    for i in range(x.shape[-1]):
        value = x[..., i]
        delta = value - mean
        mean = mean + delta / (i + 1)
        m2 = m2 + delta * (value - mean)
    var = m2 / x.shape[-1]
    normed = (x - mean.unsqueeze(-1)) / (var.unsqueeze(-1) + eps).sqrt()
    return (normed * weight + bias).to(dtype)
