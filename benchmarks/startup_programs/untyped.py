"""ato without a schema: ``python untyped.py optim.lr=0.01``.

The same file runs in the project venv (this ato) and in ``.venvs/ato2`` (ato 2.2.1).
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
