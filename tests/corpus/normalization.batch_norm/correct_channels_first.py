# expect: pass
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    c = x.shape[1]
    flat = x.transpose(0, 1).reshape(c, -1)  # (C, N * L)
    if training:
        mean = flat.mean(dim=1)
        var = flat.var(dim=1, unbiased=False)
        running_mean.copy_((1 - momentum) * running_mean + momentum * mean.detach())
        running_var.copy_((1 - momentum) * running_var + momentum * flat.var(dim=1, unbiased=True).detach())
    else:
        mean, var = running_mean, running_var
    out = (flat - mean[:, None]) / torch.sqrt(var[:, None] + eps) * weight[:, None] + bias[:, None]
    return out.reshape(c, x.shape[0], *x.shape[2:]).transpose(0, 1)
