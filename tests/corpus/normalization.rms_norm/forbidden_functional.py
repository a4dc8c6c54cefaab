# expect: fail forbidden
import torch.nn.functional as F


def rms_norm(x, weight, eps=1e-6):
    return F.rms_norm(x, (x.shape[-1],), weight, eps)
