# expect: fail precision
import torch


def masked_softmax(scores, mask, dim=-1):
    # softmax in float32 whatever the input dtype, cast back afterwards
    filled = scores.float().masked_fill(~mask, float("-inf"))
    probs = torch.softmax(filled, dim=dim).nan_to_num(0.0)
    return probs.to(scores.dtype)
