"""ato 2.x's import path for ``HyperBand`` and ``DistributedHyperBand``."""

from ato.hyperopt._dist import DistributedHyperBand
from ato.hyperopt._halving import HyperBand

__all__ = ["DistributedHyperBand", "HyperBand"]
