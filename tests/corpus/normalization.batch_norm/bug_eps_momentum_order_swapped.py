# expect: fail
# Keras-style parameter order, eps before momentum: right with both left out or passed by keyword, wrong when
# a caller passes them by position as F.batch_norm takes them. The defaults themselves are right, so the
# grader must not say they are wrong.
import torch


def batch_norm(x, running_mean, running_var, weight, bias, training, eps=1e-5, momentum=0.1):
    dims = [0] + list(range(2, x.dim()))
    view = (1, -1) + (1,) * (x.dim() - 2)
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x
    if training:
        mean, var = h.mean(dims), h.var(dims, unbiased=False)
        n = h.numel() // h.shape[1]
        with torch.no_grad():
            running_mean.copy_((1 - momentum) * running_mean + momentum * mean.to(running_mean.dtype))
            running_var.copy_((1 - momentum) * running_var + momentum * (var * n / (n - 1)).to(running_var.dtype))
    else:
        mean, var = running_mean.to(h.dtype), running_var.to(h.dtype)
    y = (h - mean.view(view)) / (var.view(view) + eps).sqrt()
    return (y * weight.to(h.dtype).view(view) + bias.to(h.dtype).view(view)).to(x.dtype)
