import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The outcomes report is cached; every test starts without another test's reports."""
    cache.clear()
    yield
    cache.clear()
