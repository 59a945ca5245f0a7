"""Blocks computed on several threads come back in order, whatever finishes first."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info

from tandem.matching.engine import parallel


@settings(max_examples=30, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 20_000), max_size=12),
    threads=st.integers(1, 4),
)
def test_results_come_back_in_the_order_of_the_items(sizes, threads) -> None:
    # given items of very different cost, so later ones often finish first
    original = parallel.THREADS
    parallel.THREADS = threads
    try:

        def work(size: int) -> tuple[int, float]:
            values = np.random.default_rng(size).random(size)
            return size, float(np.sort(values)[-1] if size else 0.0)

        # when
        results = list(parallel.in_order(work, sizes))
    finally:
        parallel.THREADS = original
    # then
    assert [size for size, _ in results] == sizes
    assert results == [work(size) for size in sizes]


@pytest.mark.parametrize("threads", [2, 3])
def test_a_failing_block_raises_and_leaves_blas_threads_as_they_were(threads, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "THREADS", threads)
    before = [info["num_threads"] for info in threadpool_info()]

    def work(item: int) -> int:
        if item == 5:
            raise ValueError("block 5")
        return item

    with pytest.raises(ValueError, match="block 5"):
        list(parallel.in_order(work, range(10)))
    assert [info["num_threads"] for info in threadpool_info()] == before
