# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from ato.hyperopt import DistributedHyperBand as DistributedHyperBand
from ato.hyperopt import HyperBand as HyperBand

__all__ = ["DistributedHyperBand", "HyperBand"]
