# expect: pass
import torch


def rms_norm(x, weight, eps=1e-6):
    mean_square = torch.einsum("...d,...d->...", x, x) / x.shape[-1]
    return torch.einsum("...d,d->...d", x / (mean_square + eps).sqrt().unsqueeze(-1), weight)
