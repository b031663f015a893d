"""ato 2.x's import path for the search building blocks."""

from ato.hyperopt._core import GridSpaceMixIn, HyperOpt
from ato.hyperopt._dist import DistributedHyperOpt, DistributedMixIn

__all__ = ["DistributedHyperOpt", "DistributedMixIn", "GridSpaceMixIn", "HyperOpt"]
