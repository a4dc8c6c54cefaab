# expect: fail shape
# Statistics over dims (0, 2, 3), written for (N, C, H, W) only: (N, C, L) and (N, C, D, H, W) break.
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    if x.dim() == 2:
        dims, shape = (0,), (1, -1)
    else:
        dims, shape = (0, 2, 3), (1, -1, 1, 1)
    if training:
        mean = x.mean(dim=dims)
        var = x.var(dim=dims, unbiased=False)
        n = x.numel() // x.shape[1]
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(momentum * mean)
            running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))
    else:
        mean, var = running_mean, running_var
    return (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * weight.view(shape) + bias.view(shape)
