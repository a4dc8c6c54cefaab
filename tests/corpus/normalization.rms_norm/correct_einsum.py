# expect: pass
import torch


def rms_norm(x, weight, eps=1e-6):
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # float16 squares overflow past 256
    mean_square = torch.einsum("...d,...d->...", h, h) / h.shape[-1]
    normed = h / (mean_square + eps).sqrt().unsqueeze(-1)
    return torch.einsum("...d,d->...d", normed.to(x.dtype), weight)
