# expect: fail eps precision
def rms_norm(x, weight, eps=1e-6):
    rms = x.pow(2).mean(dim=-1, keepdim=True).sqrt()
    return weight * x / (rms + eps)
