# expect: fail dtype
import torch


def masked_softmax(scores, mask, dim=-1):
    # compute the softmax in float32, as under mixed precision
    scores = scores.float().masked_fill(~mask, float("-inf"))
    probs = torch.softmax(scores, dim=dim)
    return torch.where(mask.any(dim, keepdim=True), probs, 0.0)
