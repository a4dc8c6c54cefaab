# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # float16 squares overflow past 256
    d = h.shape[-1]
    centered = h - torch.einsum("...d->...", h).unsqueeze(-1) / d
    var = torch.einsum("...d,...d->...", centered, centered).unsqueeze(-1) / d
    return torch.einsum("...d,d->...d", (centered / torch.sqrt(var + eps)).to(x.dtype), weight) + bias
