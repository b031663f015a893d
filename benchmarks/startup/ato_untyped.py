"""The new ato without a schema: ``python ato_untyped.py optim.lr=0.01``.

The same program as ato2_untyped.py, run against this repository's package.
"""

from ato.scope import Scope

scope = Scope()


@scope.observe(default=True)
def defaults(config):
    config.epochs = 10
    config.batch_size = 32
    config.model = "resnet50"
    config.seed = 0
    config.optim = {"lr": 1e-3}


@scope
def train(config):
    print(config.optim.lr)


if __name__ == "__main__":
    train()
