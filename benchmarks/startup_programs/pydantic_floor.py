"""The floor of any typed program: the same pydantic models and no CLI library at all.

``python pydantic_floor.py optim.lr=0.01`` splits the one override by hand, so this row shows
how much of every typed row is pydantic itself.
"""

import sys

from _models import TrainConfig

data: dict[str, dict[str, str]] = {}
for token in sys.argv[1:]:
    key, _, value = token.partition("=")
    group, _, leaf = key.partition(".")
    data.setdefault(group, {})[leaf] = value
print(TrainConfig.model_validate(data).optim.lr)
