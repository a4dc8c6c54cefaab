# expect: fail
# Treats momentum as optional with `momentum or 0.1`: momentum = 0, which must leave the running statistics
# where they are, silently becomes 0.1.
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    momentum = momentum or 0.1
    dims = [d for d in range(x.dim()) if d != 1]
    shape = [1, -1] + [1] * (x.dim() - 2)
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    if training:
        mean, var = h.mean(dims), h.var(dims, unbiased=False)
        count = h.numel() // h.shape[1]
        with torch.no_grad():
            running_mean.lerp_(mean.to(running_mean.dtype), momentum)
            running_var.lerp_((var * count / (count - 1)).to(running_var.dtype), momentum)
    else:
        mean, var = running_mean.to(h.dtype), running_var.to(h.dtype)
    y = (h - mean.view(shape)) / torch.sqrt(var.view(shape) + eps)
    return (y * weight.to(h.dtype).view(shape) + bias.to(h.dtype).view(shape)).to(x.dtype)
