# expect: fail momentum running-stats
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    # An older d2l batch_norm, updating the buffers in place: momentum weights the OLD
    # statistic, and the biased batch variance goes into running_var.
    shape = (1, -1) + (1,) * (x.dim() - 2)
    if not training:
        x_hat = (x - running_mean.view(shape)) / torch.sqrt(running_var.view(shape) + eps)
    else:
        dims = [0] + list(range(2, x.dim()))
        mean = x.mean(dim=dims)
        var = ((x - mean.view(shape)) ** 2).mean(dim=dims)
        x_hat = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
        with torch.no_grad():
            running_mean.copy_(momentum * running_mean + (1.0 - momentum) * mean)
            running_var.copy_(momentum * running_var + (1.0 - momentum) * var)
    return weight.view(shape) * x_hat + bias.view(shape)
