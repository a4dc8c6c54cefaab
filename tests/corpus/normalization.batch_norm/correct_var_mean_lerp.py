# expect: pass
import torch


@torch.no_grad()
def _update(running, stat, momentum):
    running.lerp_(stat.to(running.dtype), momentum)  # running + momentum * (stat - running)


def batch_norm(x, running_mean, running_var, weight, bias, training, momentum=0.1, eps=1e-5):
    reduce = tuple(d for d in range(x.ndim) if d != 1)
    view = tuple(-1 if d == 1 else 1 for d in range(x.ndim))
    h = x.float() if x.dtype in (torch.float16, torch.bfloat16) else x  # var * count overflows float16
    if training:
        var, mean = torch.var_mean(h, dim=reduce, correction=0)
        count = x.numel() / x.shape[1]
        _update(running_mean, mean, momentum)
        _update(running_var, var * count / (count - 1), momentum)
    else:
        var, mean = running_var, running_mean
    scale = weight / torch.sqrt(var + eps)
    return ((h - mean.reshape(view)) * scale.reshape(view) + bias.reshape(view)).to(x.dtype)
