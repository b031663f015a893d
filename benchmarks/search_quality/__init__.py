"""The search-quality study: regret at equal budget, ato's searches against Optuna's (issue 7).

Kept apart from the overhead benchmarks because it measures outcomes, not time: it is seeded,
so the same seeds give the same figures on any machine. ``problem`` is the synthetic learning-
curve benchmark; ``study`` runs the searches on it and writes the section.
"""
