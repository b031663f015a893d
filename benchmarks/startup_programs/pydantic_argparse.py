"""pydantic v2 + argparse: ``python pydantic_argparse.py --optim.lr 0.01``.

The usual hand-written bridge: one optional option per leaf field, and the given values
validated (and coerced from text) by building the model.
"""

import argparse

from _models import TrainConfig


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    parser = argparse.ArgumentParser(description="hello-world training entry point")
    for option in ("--epochs", "--batch-size", "--model", "--seed", "--optim.lr"):
        parser.add_argument(option, dest=option[2:].replace("-", "_").replace(".", "__"))
    args = {k: v for k, v in vars(parser.parse_args(argv)).items() if v is not None}
    if "optim__lr" in args:
        args["optim"] = {"lr": args.pop("optim__lr")}
    return TrainConfig.model_validate(args)


if __name__ == "__main__":
    print(parse_config().optim.lr)
