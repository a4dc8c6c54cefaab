# expect: fail mask-multiply
import torch


def masked_softmax(scores, mask, dim=-1):
    # AllenNLP's masked_softmax (memory_efficient=False): zero the masked scores by multiplying,
    # softmax, zero the masked probabilities, renormalise.
    mask = mask.to(scores.dtype)
    result = torch.softmax(scores * mask, dim=dim)
    result = result * mask
    return result / (result.sum(dim=dim, keepdim=True) + 1e-13)
