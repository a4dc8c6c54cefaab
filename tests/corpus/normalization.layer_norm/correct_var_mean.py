# expect: pass
import torch


def layer_norm(x, weight, bias, eps=1e-5):
    # population variance (correction=0), as LayerNorm uses
    var, mean = torch.var_mean(x, dim=-1, keepdim=True, correction=0)
    x_hat = (x - mean) / torch.sqrt(var + eps)
    return torch.addcmul(bias, x_hat, weight)
