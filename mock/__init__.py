"""Mock interviews (`qkv mock`): a timed round of warm-up questions, a deep-dive with follow-ups
and a coding task graded by the grader, then a scorecard saved in the history database."""
