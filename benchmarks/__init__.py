"""ato's benchmarks: ``python -m benchmarks`` runs them; see README.md in this folder."""
