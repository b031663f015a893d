"""Hyperparameter search over spaces checked against the scope's schema.

``HyperBand`` is ato 2.x's successive halving over a grid; ``BracketHyperBand`` is
Hyperband with brackets (Li et al., 2018); ``RandomSearch`` draws configurations at random.
All three share one trial runner: each trial's config is built like a command-line run of
the scope and validated before the objective starts.
"""

from ato.hyperopt._bracket import Bracket, BracketHyperBand, brackets
from ato.hyperopt._core import GridSpaceMixIn, HyperOpt
from ato.hyperopt._dist import DistributedHyperBand, DistributedHyperOpt, DistributedMixIn
from ato.hyperopt._halving import HyperBand
from ato.hyperopt._records import SearchError, SearchResult, Trial, TrialRecord
from ato.hyperopt._sampled import RandomSearch

__all__ = [
    "Bracket",
    "BracketHyperBand",
    "DistributedHyperBand",
    "DistributedHyperOpt",
    "DistributedMixIn",
    "GridSpaceMixIn",
    "HyperBand",
    "HyperOpt",
    "RandomSearch",
    "SearchError",
    "SearchResult",
    "Trial",
    "TrialRecord",
    "brackets",
]
