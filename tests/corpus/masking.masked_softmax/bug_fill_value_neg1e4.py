# expect: fail fill-value
# Fills masked scores with -1e4 and zeroes them after the softmax: right while some kept score of each
# slice is above -1e4, wrong when every kept score is below it.
import torch


def masked_softmax(scores, mask, dim=-1):
    probs = torch.softmax(scores.masked_fill(~mask, -1e4), dim=dim)
    return probs * mask
