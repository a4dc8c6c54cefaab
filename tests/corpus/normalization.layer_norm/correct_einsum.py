# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    d = x.shape[-1]
    centered = x - torch.einsum("...d->...", x).unsqueeze(-1) / d
    var = torch.einsum("...d,...d->...", centered, centered).unsqueeze(-1) / d
    return torch.einsum("...d,d->...d", centered / torch.sqrt(var + eps), weight) + bias
