"""Type stubs for collapsekit._core (the compiled bindings)."""

from typing import Callable, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

ArrayLike = npt.ArrayLike

__version__: str
version_info: Tuple[int, int, int]
simd_enabled: bool

def simd_arch() -> str: ...

class Estimate:
    value: float
    standard_error: float
    n: int
    def __init__(self, value: float, standard_error: float = ..., n: int = 0) -> None: ...
    def __float__(self) -> float: ...

class IntervalEstimate:
    estimate: float
    low: float
    high: float
    standard_error: float
    confidence_level: float
    n_resamples: int
    @property
    def confidence_interval(self) -> Tuple[float, float]: ...

def bootstrap(
    data: Sequence[ArrayLike],
    statistic: Callable[..., float],
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> IntervalEstimate: ...
def bootstrap_counts(
    counts: ArrayLike,
    statistic: Callable[[np.ndarray], float],
    n_resamples: int = 1000,
    confidence_level: float = 0.95,
    seed: int = 0,
) -> IntervalEstimate: ...
