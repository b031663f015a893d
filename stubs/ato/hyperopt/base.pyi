from ato.hyperopt import DistributedHyperOpt, DistributedMixIn, GridSpaceMixIn, HyperOpt

__all__ = ["DistributedHyperOpt", "DistributedMixIn", "GridSpaceMixIn", "HyperOpt"]
