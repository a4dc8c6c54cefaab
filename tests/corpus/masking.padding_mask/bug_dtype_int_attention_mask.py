# expect: fail dtype
import torch


def padding_mask(lengths, max_len):
    positions = torch.arange(max_len, device=lengths.device)
    return (positions[None, :] < lengths[:, None]).long()  # 1 for tokens, 0 for padding
