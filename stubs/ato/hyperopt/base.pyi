# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from ato.hyperopt import DistributedHyperOpt as DistributedHyperOpt
from ato.hyperopt import DistributedMixIn as DistributedMixIn
from ato.hyperopt import GridSpaceMixIn as GridSpaceMixIn
from ato.hyperopt import HyperOpt as HyperOpt

__all__ = ["DistributedHyperOpt", "DistributedMixIn", "GridSpaceMixIn", "HyperOpt"]
