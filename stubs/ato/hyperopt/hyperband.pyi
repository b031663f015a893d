from ato.hyperopt import DistributedHyperBand, HyperBand

__all__ = ["DistributedHyperBand", "HyperBand"]
