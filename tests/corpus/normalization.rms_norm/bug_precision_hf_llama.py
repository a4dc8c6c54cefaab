# expect: fail precision
import torch


def rms_norm(x, weight, eps=1e-6):
    # Hugging Face LlamaRMSNorm: hidden states to float32, normalised, back to the input dtype
    input_dtype = x.dtype
    hidden_states = x.to(torch.float32)
    variance = hidden_states.pow(2).mean(-1, keepdim=True)
    hidden_states = hidden_states * torch.rsqrt(variance + eps)
    return weight * hidden_states.to(input_dtype)
