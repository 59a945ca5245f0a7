"""Blocks of the score matrix computed on every core, consumed in order.

A pass over the matrix is a stream of independent blocks (a float32 product, then partitions,
comparisons and reductions). numpy releases the GIL in all of them, so Python threads run
blocks side by side; OR-Tools' flow does not release it, so the flows stay sequential and
this is where a second core pays. Each thread's product runs on one BLAS thread: OpenBLAS
serialises concurrent multi-threaded calls, and one block per core beats one block on two
cores (the partitions and reductions around the product are single-threaded).

Results come back in the order of the blocks, so a pass gives exactly the same result whatever
the number of threads.
"""

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from threadpoolctl import ThreadpoolController

T = TypeVar("T")
Item = TypeVar("Item")


def available_cores() -> int:
    """Cores this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


# Threads per pass; `TANDEM_MATCHING_THREADS` overrides (1 = the sequential pass).
THREADS = int(os.environ.get("TANDEM_MATCHING_THREADS", "0")) or min(4, available_cores())
_controller: ThreadpoolController | None = None


def _blas() -> ThreadpoolController:
    # finding the loaded BLAS libraries walks every shared object (~10 ms): once per process
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


def in_order(work: Callable[[Item], T], items: Iterable[Item]) -> Iterator[T]:
    """`work(item)` for each item, on up to `THREADS` threads, yielded in the items' order.
    While the caller consumes one result, `THREADS` more are being computed; memory stays at
    a few blocks."""
    items = list(items)
    if THREADS <= 1 or len(items) <= 1:
        for item in items:
            yield work(item)
        return
    with _blas().limit(limits=1, user_api="blas"), ThreadPoolExecutor(THREADS) as pool:
        pending: deque[Future[T]] = deque()
        for item in items:
            pending.append(pool.submit(work, item))
            if len(pending) > THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
