# expect: fail axis precision
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    # normalise each sample in the batch
    dims = tuple(range(1, x.dim()))
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias
