# expect: pass
import torch


def masked_softmax(scores, mask, dim=-1):
    filled = scores.masked_fill(~mask, float("-inf"))
    log_z = torch.logsumexp(filled, dim=dim, keepdim=True)  # -inf for an empty slice
    log_z = log_z.masked_fill(torch.isinf(log_z), 0.0)
    return torch.exp(filled - log_z)
