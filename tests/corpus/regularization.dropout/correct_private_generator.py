# expect: pass
# A generator of its own on x's device for each call, seeded from the global one (so torch.manual_seed still
# reproduces a run): torch.Generator(device=x.device) has to work under the device check too.
import torch


def dropout(x, p, training=True):
    if not training or p == 0:
        return x
    if p == 1:
        return torch.zeros_like(x)
    gen = torch.Generator(device=x.device)
    gen.manual_seed(int(torch.randint(0, 2**62, (1,)).item()))
    keep = torch.rand(x.shape, generator=gen, device=x.device) >= p
    return torch.where(keep, x / (1 - p), torch.zeros_like(x))
