# expect: fail
# (AllenNLP style. Diagnosis: mask-multiply at seeds 0 and 2, mask-after-softmax at seed 1 on a 3-element
# extreme input; the code is not asserted until that is understood, see the closing note of session 13.)
import torch


def masked_softmax(scores, mask, dim=-1):
    # AllenNLP's masked_softmax (memory_efficient=False): zero the masked scores by multiplying,
    # softmax, zero the masked probabilities, renormalise.
    mask = mask.to(scores.dtype)
    result = torch.softmax(scores * mask, dim=dim)
    result = result * mask
    return result / (result.sum(dim=dim, keepdim=True) + 1e-13)
