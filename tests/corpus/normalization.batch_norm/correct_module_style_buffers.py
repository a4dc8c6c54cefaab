# expect: pass
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    # move channels last and flatten, as many from-scratch BatchNorm layers do
    c = x.shape[1]
    flat = x.transpose(0, 1).reshape(c, -1)  # (C, N * H * W)
    if training:
        mean = flat.mean(dim=1)
        var = flat.var(dim=1, unbiased=False)
        n = flat.shape[1]
        with torch.no_grad():
            running_mean.copy_((1 - momentum) * running_mean + momentum * mean)
            running_var.copy_((1 - momentum) * running_var + momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    shape = (1, c) + (1,) * (x.dim() - 2)
    x_hat = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + eps)
    return x_hat * weight.reshape(shape) + bias.reshape(shape)
