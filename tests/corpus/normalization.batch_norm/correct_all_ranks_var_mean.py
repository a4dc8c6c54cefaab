# expect: pass
# Any rank from (N, C) to (N, C, D, H, W); the running statistics updated from detached statistics.
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = tuple(d for d in range(x.dim()) if d != 1)
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    if training:
        var, mean = torch.var_mean(x, dim=dims, unbiased=False)
        n = x.numel() // x.shape[1]
        running_mean.lerp_(mean.detach(), momentum)
        running_var.lerp_(var.detach() * (n / (n - 1)), momentum)
    else:
        mean, var = running_mean, running_var
    scale = weight.reshape(shape) / torch.sqrt(var.reshape(shape) + eps)
    return (x - mean.reshape(shape)) * scale + bias.reshape(shape)
