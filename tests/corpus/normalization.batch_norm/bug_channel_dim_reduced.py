# expect: fail axis
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = [0] + list(range(1, x.dim()))
    shape = [1, -1] + [1] * (x.dim() - 2)
    if training:
        mean = x.mean(dim=dims, keepdim=True)
        var = x.var(dim=dims, unbiased=False, keepdim=True)
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean.squeeze())
            running_var.mul_(1 - momentum).add_(momentum * x.var(dim=dims, unbiased=True))
    else:
        mean, var = running_mean.view(shape), running_var.view(shape)
    return (x - mean) / torch.sqrt(var + eps) * weight.view(shape) + bias.view(shape)
