"""The config every typed program here validates: five fields, one of them a nested ``optim``."""

from pydantic import BaseModel, Field


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0, description="learning rate")


class TrainConfig(BaseModel):
    epochs: int = 10
    batch_size: int = 32
    model: str = "resnet50"
    seed: int = 0
    optim: Optim = Optim()
