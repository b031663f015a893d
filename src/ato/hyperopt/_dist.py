"""Searches spread over ``torch.distributed`` ranks.

Every rank builds the same search (its id and random seed come from rank 0), runs its
share of each round's trials (round-robin by trial number) and gathers every rank's
records, so each rank ranks the same records in the same order and reaches the same
winner as one process would. With ``on_error='stop'`` the other ranks finish their share of
the round first, so the partial result keeps every trial that ran (it may hold trials that
one process would not have started). A rank whose share fails outside the objective (or whose
objective exits) sends its error instead; every rank then raises the same
:class:`~ato.hyperopt.SearchError`, rather than waiting for it forever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from ato.errors import ConfigError
from ato.hyperopt._core import HyperOpt
from ato.hyperopt._halving import HyperBand
from ato.hyperopt._records import SearchError, Trial, TrialRecord
from ato.hyperopt._runner import Runner

if TYPE_CHECKING:
    from ato.scope import Scope

__all__ = ["DistributedHyperBand", "DistributedHyperOpt", "DistributedMixIn"]

S = TypeVar("S")
T = TypeVar("T")


def _dist() -> Any:
    try:
        import torch.distributed as dist
    except ImportError as exc:
        raise ConfigError(key="backend", expected="torch installed (pip install 'ato[distributed]')",
                          got="pytorch", detail=str(exc)) from None
    return dist


class DistributedMixIn:
    """Run a search's rounds on every rank of an initialised ``torch.distributed`` group.

    Mix it in before the search class and call ``DistributedMixIn.__init__`` before the
    search's own ``__init__`` (the search id is agreed on while the search is built).

    Args:
        rank: This process's rank; must equal ``torch.distributed.get_rank()``.
        world_size: Must equal ``torch.distributed.get_world_size()``.
        backend: ``'pytorch'`` (the only one; gloo on CPUs, NCCL on GPUs, as initialised).

    Raises:
        ConfigError: torch is missing, the process group is not initialised, or ``rank``
            / ``world_size`` disagree with it.
    """

    def __init__(self, rank: int = 0, world_size: int = 1, backend: str = "pytorch") -> None:
        if backend != "pytorch":
            raise ConfigError(key="backend", expected="'pytorch'", got=backend)
        dist = _dist()
        if not (dist.is_available() and dist.is_initialized()):
            raise ConfigError(key="backend", expected="an initialised process group",
                              detail="call torch.distributed.init_process_group() before the search")
        for name, given, actual in (("rank", rank, dist.get_rank()),
                                    ("world_size", world_size, dist.get_world_size())):
            if given != actual:
                raise ConfigError(key=name, expected=f"{actual} (torch.distributed.get_{name}())", got=given)
        self.rank = rank
        self.world_size = world_size
        self.backend = backend

    @property
    def is_root(self) -> bool:
        """Whether this is rank 0."""
        return self.rank == 0

    def broadcast_object_from_root(self, obj: T) -> T:
        """Rank 0's ``obj`` on every rank (pickled)."""
        box = [obj]
        _dist().broadcast_object_list(box, src=0)
        return box[0]

    def all_gather_object(self, obj: T) -> list[T]:
        """Every rank's ``obj``, in rank order, on every rank."""
        gathered: list[Any] = [None] * self.world_size
        _dist().all_gather_object(gathered, obj)
        return gathered

    def destroy(self) -> None:
        """Destroy the process group (the search never does it for you)."""
        dist = _dist()
        if dist.is_initialized():
            dist.destroy_process_group()

    def get_hyperopt_id(self) -> str:
        """Rank 0's new search id, on every rank."""
        return self.broadcast_object_from_root(HyperOpt.get_hyperopt_id(self))  # type: ignore[arg-type]

    def _agree(self, value: T) -> T:
        return self.broadcast_object_from_root(value)

    def _is_root(self) -> bool:
        return self.rank == 0

    def _run_round(self, runner: Runner, trials: Sequence[Trial]) -> list[TrialRecord]:
        mine: list[TrialRecord] = []
        crash = None
        try:
            mine = runner.run_all(trials[self.rank :: self.world_size], report=False)
        except (Exception, SystemExit) as exc:  # everyone must reach the gather below
            crash = f"rank {self.rank}: {type(exc).__name__}: {exc}"
        gathered = self.all_gather_object((mine, crash))
        crashes = [c for _, c in gathered if c is not None]
        if crashes:
            runner.progress.close()
            raise SearchError(f"the distributed search failed on {crashes[0]}")
        records = sorted((r for part, _ in gathered for r in part), key=lambda r: r.trial.index)
        for record in records:
            runner.progress.advance(record)
        return records


class DistributedHyperOpt(DistributedMixIn, HyperOpt[S]):
    """:class:`~ato.hyperopt.HyperOpt` with the distributed helpers (ato 2.x's API)."""

    def __init__(
        self,
        scope: Scope[S],
        search_spaces: Mapping[str, Any],
        tracker: Any = None,
        mode: str = "max",
        rank: int = 0,
        world_size: int = 1,
        backend: str = "pytorch",
        **options: Any,
    ) -> None:
        DistributedMixIn.__init__(self, rank, world_size, backend)
        HyperOpt.__init__(self, scope, search_spaces, tracker, mode, **options)


class DistributedHyperBand(DistributedMixIn, HyperBand[S]):
    """:class:`~ato.hyperopt.HyperBand` with each round's trials spread over the ranks.

    Takes ``HyperBand``'s arguments plus ``rank``, ``world_size`` and ``backend``; every
    rank returns the same result, equal to a one-process search's.
    """

    def __init__(
        self,
        scope: Scope[S],
        search_spaces: Mapping[str, Any],
        halving_rate: float,
        num_min_samples: int,
        tracker: Any = None,
        mode: str = "max",
        rank: int = 0,
        world_size: int = 1,
        backend: str = "pytorch",
        **options: Any,
    ) -> None:
        DistributedMixIn.__init__(self, rank, world_size, backend)
        HyperBand.__init__(self, scope, search_spaces, halving_rate, num_min_samples, tracker, mode,
                           **options)
