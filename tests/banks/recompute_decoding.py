"""Recompute every numeric answer of questions/decoding.yaml.

Each entry rebuilds the quantity the question asks for from the inputs stated in its
prompt: it runs F.softmax on the stated logits after temperature, penalties or top-k /
top-p / min-p filtering, runs a small beam search over the stated probability table,
computes the speculative-decoding acceptance and token counts (closed form next to an
enumeration or a Monte-Carlo run of the algorithm), sizes a KV cache from meta tensors,
or evaluates the pass@k estimator. No entry returns the stored answer.
"""
from __future__ import annotations

import math
from typing import Callable

import torch
import torch.nn.functional as F

EOS = "</s>"


def _probs(logits: list[float], temperature: float = 1.0) -> torch.Tensor:
    """softmax(z / T) in float64."""
    return F.softmax(torch.tensor(logits, dtype=torch.float64) / temperature, dim=-1)  # (V,)


def _nucleus(probs: torch.Tensor, top_p: float) -> torch.Tensor:
    """Boolean keep-mask of the smallest set of most probable tokens whose mass is >= top_p
    (the token that crosses the threshold is kept, and so is the top token)."""
    sorted_probs, order = torch.sort(probs, descending=True)  # (V,), (V,)
    mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs  # (V,): mass of the tokens ranked above
    keep_sorted = mass_before < top_p  # (V,): still short of p before this token, so it is needed
    keep_sorted[0] = True
    return torch.zeros_like(keep_sorted).scatter(0, order, keep_sorted)  # (V,) in vocabulary order


def temperature_half_top_prob() -> float:
    """P(token 0) for logits [2, 1, 0] at T = 0.5."""
    return _probs([2.0, 1.0, 0.0], temperature=0.5)[0].item()


def top_k_renormalised() -> float:
    """P(second token) after top-k with k = 3 on [0.40, 0.25, 0.15, 0.10, 0.06, 0.04]."""
    probs = torch.tensor([0.40, 0.25, 0.15, 0.10, 0.06, 0.04], dtype=torch.float64)  # (V,)
    values, _ = torch.topk(probs, 3)
    kept = torch.where(probs >= values[-1], probs, torch.zeros_like(probs))  # (V,)
    return (kept / kept.sum())[1].item()


def nucleus_size() -> float:
    """Tokens in the nucleus of [0.35, 0.25, 0.15, 0.10, 0.08, 0.07] for p = 0.8."""
    probs = torch.tensor([0.35, 0.25, 0.15, 0.10, 0.08, 0.07], dtype=torch.float64)  # (V,)
    return float(_nucleus(probs, 0.8).sum())


def nucleus_renormalised() -> float:
    """P(token 0) after top-p = 0.75 on softmax([2, 1, 0.5, 0, -1])."""
    probs = _probs([2.0, 1.0, 0.5, 0.0, -1.0])  # (V,)
    kept = probs * _nucleus(probs, 0.75)  # (V,)
    return (kept / kept.sum())[0].item()


def temperature_then_top_p_size() -> float:
    """Nucleus size for p = 0.9 on logits [3, 2, 1, 0, -1] after temperature T = 2."""
    size_at_t1 = _nucleus(_probs([3.0, 2.0, 1.0, 0.0, -1.0]), 0.9).sum().item()
    size_at_t2 = _nucleus(_probs([3.0, 2.0, 1.0, 0.0, -1.0], temperature=2.0), 0.9).sum().item()
    assert size_at_t1 == 3  # the explanation contrasts the two
    return float(size_at_t2)


def min_p_kept() -> float:
    """Tokens kept by min-p = 0.1 on [0.45, 0.25, 0.12, 0.08, 0.05, 0.03, 0.02]."""
    probs = torch.tensor([0.45, 0.25, 0.12, 0.08, 0.05, 0.03, 0.02], dtype=torch.float64)  # (V,)
    return float((probs >= 0.1 * probs.max()).sum())


def ctrl_penalty_unseen_prob() -> float:
    """P(token 2) after a sign-aware repetition penalty 1.2 on tokens 0 and 1 of logits [2, -1, 1]."""
    logits = torch.tensor([2.0, -1.0, 1.0], dtype=torch.float64)  # (V,)
    seen = torch.tensor([0, 1])
    penalty = 1.2
    score = logits[seen]
    logits[seen] = torch.where(score < 0, score * penalty, score / penalty)
    return F.softmax(logits, dim=-1)[2].item()


def frequency_presence_ratio() -> float:
    """P(X) / P(Y) after OpenAI-style penalties: X logit 2.0 seen 3 times, Y logit 1.0 unseen."""
    logits = torch.tensor([2.0, 1.0], dtype=torch.float64)  # (V,): X, Y
    counts = torch.tensor([3.0, 0.0], dtype=torch.float64)  # (V,)
    alpha_frequency, alpha_presence = 0.5, 0.4
    adjusted = logits - counts * alpha_frequency - (counts > 0).double() * alpha_presence  # (V,)
    probs = F.softmax(adjusted, dim=-1)
    return (probs[0] / probs[1]).item()


def speculative_acceptance_rate() -> float:
    """P(accept) of one draft token with target p = [0.5, 0.3, 0.2] and draft q = [0.2, 0.6, 0.2],
    in closed form (sum of min(p, q)) next to a Monte-Carlo run of the accept test."""
    p = torch.tensor([0.5, 0.3, 0.2], dtype=torch.float64)
    q = torch.tensor([0.2, 0.6, 0.2], dtype=torch.float64)
    exact = (q * torch.clamp(p / q, max=1.0)).sum().item()
    gen = torch.Generator().manual_seed(0)
    draft = torch.multinomial(q, 200_000, replacement=True, generator=gen)  # (N,)
    accepted = torch.rand(200_000, generator=gen, dtype=torch.float64) < (p / q).clamp(max=1.0)[draft]
    assert abs(accepted.double().mean().item() - exact) < 0.01
    return exact


def _expected_tokens_per_step(alpha: float, gamma: int) -> float:
    """E[tokens per target call]: n drafts accepted with P(n = k) = alpha^k (1 - alpha) for k < gamma
    and alpha^gamma for k = gamma; each step emits n + 1 tokens (the correction or the bonus token)."""
    probs = [alpha**k * (1 - alpha) for k in range(gamma)] + [alpha**gamma]
    assert abs(sum(probs) - 1) < 1e-12
    return sum((k + 1) * pk for k, pk in enumerate(probs))


def speculative_expected_tokens() -> float:
    """Expected tokens per target forward pass for alpha = 0.8, gamma = 4."""
    alpha, gamma = 0.8, 4
    value = _expected_tokens_per_step(alpha, gamma)
    assert abs(value - (1 - alpha ** (gamma + 1)) / (1 - alpha)) < 1e-12
    return value


def speculative_speedup() -> float:
    """Walltime improvement for alpha = 0.8, gamma = 4, draft cost c = 0.05 of a target call."""
    alpha, gamma, cost = 0.8, 4, 0.05
    return _expected_tokens_per_step(alpha, gamma) / (gamma * cost + 1)


def gnmt_crossover_alpha() -> float:
    """Smallest alpha at which B (log P = -6, 12 tokens) outscores A (log P = -4, 5 tokens)
    under log P / ((5 + |Y|) / 6)^alpha, found by bisection."""
    def margin(alpha: float) -> float:
        lp = lambda length: ((5 + length) / 6) ** alpha  # noqa: E731
        return -6.0 / lp(12) - (-4.0 / lp(5))  # > 0 when B wins

    lo, hi = 0.0, 5.0
    assert margin(lo) < 0 < margin(hi)
    for _ in range(100):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if margin(mid) > 0 else (mid, hi)
    return (lo + hi) / 2


def _beam_search_table(prefix: tuple[str, ...]) -> dict[str, float]:
    """The next-token table of the beam-search questions: vocabulary {a, b, </s>}."""
    if prefix == ():
        return {"a": 0.5, "b": 0.1, EOS: 0.4}
    if prefix == ("a",):
        return {"a": 0.2, "b": 0.7, EOS: 0.1}
    if prefix == ("b",):
        return {"a": 0.3, "b": 0.3, EOS: 0.4}
    return {"a": 0.05, "b": 0.05, EOS: 0.9}  # after any two tokens


def _beam_search(width: int, steps: int, normalise: bool) -> tuple[tuple[str, ...], float]:
    """Beam search as the prompts state it: the beam is the best `width` candidates, finished
    ones (ending in </s>) stay in it unextended; score = log P, or log P / length when
    `normalise`; unfinished hypotheses left after `steps` are dropped. Returns the best
    finished hypothesis and its probability."""
    def score(item: tuple[tuple[str, ...], float]) -> float:
        tokens, logp = item
        return logp / len(tokens) if normalise else logp

    beam: list[tuple[tuple[str, ...], float]] = [((), 0.0)]
    for _ in range(steps):
        candidates = []
        for tokens, logp in beam:
            if tokens and tokens[-1] == EOS:
                candidates.append((tokens, logp))
                continue
            for token, prob in _beam_search_table(tokens).items():
                candidates.append((tokens + (token,), logp + math.log(prob)))
        beam = sorted(candidates, key=score, reverse=True)[:width]
    finished = [item for item in beam if item[0][-1] == EOS]
    tokens, logp = max(finished, key=score)
    return tokens, math.exp(logp)


def beam_search_empty_output() -> float:
    """Probability of the width-2 unnormalised beam-search result."""
    tokens, prob = _beam_search(width=2, steps=3, normalise=False)
    assert tokens == (EOS,)  # the explanation says it is the empty output
    return prob


def beam_search_length_normalised() -> float:
    """Probability of the width-2 beam-search result scored by log P / length."""
    tokens, prob = _beam_search(width=2, steps=3, normalise=True)
    assert tokens == ("a", "b", EOS)
    return prob


def kv_cache_gib() -> float:
    """KV cache of 4096 fp16 tokens for 32 layers x 32 KV heads x head_dim 128, batch 1, in GiB."""
    layers, kv_heads, head_dim, tokens, batch = 32, 32, 128, 4096, 1
    cache = [torch.empty(2, batch, kv_heads, tokens, head_dim, dtype=torch.float16, device="meta")
             for _ in range(layers)]  # one (K/V, B, H_kv, L, d) tensor per layer
    total_bytes = sum(t.numel() * t.element_size() for t in cache)
    return total_bytes / 2**30


def decode_step_lower_bound_ms() -> float:
    """Time to read 7e9 bf16 weights once at 2.0e12 bytes/s, in milliseconds."""
    params, bandwidth = 7e9, 2.0e12
    weight_bytes = params * torch.finfo(torch.bfloat16).bits / 8
    return weight_bytes / bandwidth * 1e3


def pass_at_k() -> float:
    """Unbiased pass@5 from n = 10 samples with c = 3 correct, next to the numerically stable
    product form of Chen et al. (2021)."""
    n, c, k = 10, 3, 5
    exact = 1 - math.comb(n - c, k) / math.comb(n, k)
    stable = 1 - math.prod(1 - k / i for i in range(n - c + 1, n + 1))
    assert abs(exact - stable) < 1e-12
    return exact


RECOMPUTE: dict[str, Callable[[], float]] = {
    "decoding.temperature-half-top-prob": temperature_half_top_prob,
    "decoding.top-k-renormalised": top_k_renormalised,
    "decoding.nucleus-size": nucleus_size,
    "decoding.nucleus-renormalised": nucleus_renormalised,
    "decoding.temperature-then-top-p-size": temperature_then_top_p_size,
    "decoding.min-p-kept": min_p_kept,
    "decoding.ctrl-penalty-unseen-prob": ctrl_penalty_unseen_prob,
    "decoding.frequency-presence-ratio": frequency_presence_ratio,
    "decoding.speculative-acceptance-rate": speculative_acceptance_rate,
    "decoding.speculative-expected-tokens": speculative_expected_tokens,
    "decoding.speculative-speedup": speculative_speedup,
    "decoding.gnmt-crossover-alpha": gnmt_crossover_alpha,
    "decoding.beam-search-empty-output": beam_search_empty_output,
    "decoding.beam-search-length-normalised": beam_search_length_normalised,
    "decoding.kv-cache-gib": kv_cache_gib,
    "decoding.decode-step-lower-bound-ms": decode_step_lower_bound_ms,
    "decoding.pass-at-k": pass_at_k,
}
