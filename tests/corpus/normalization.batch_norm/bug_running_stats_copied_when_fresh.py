# expect: fail
# "Warm start": while the buffers still hold a new module's zeros and ones, copies the first batch's
# statistics into them instead of moving them by momentum.
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    dims = [0, *range(2, x.dim())]
    shape = [1, x.shape[1]] + [1] * (x.dim() - 2)
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    if training:
        var, mean = torch.var_mean(h, dims, unbiased=False)
        n = h.numel() / h.shape[1]
        with torch.no_grad():
            unbiased = (var * n / (n - 1)).to(running_var.dtype)
            if bool((running_mean == 0).all()) and bool((running_var == 1).all()):
                running_mean.copy_(mean)
                running_var.copy_(unbiased)
            else:
                running_mean.mul_(1 - momentum).add_(momentum * mean.to(running_mean.dtype))
                running_var.mul_(1 - momentum).add_(momentum * unbiased)
    else:
        mean, var = running_mean.to(h.dtype), running_var.to(h.dtype)
    y = (h - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + eps)
    return (y * weight.to(h.dtype).reshape(shape) + bias.to(h.dtype).reshape(shape)).to(x.dtype)
