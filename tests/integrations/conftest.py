import pytest

from integrations.gov import sandbox


@pytest.fixture(autouse=True)
def _fresh_knobs():
    """Knobs are cached per process for a few seconds; each test starts and ends without them."""
    sandbox.clear_knob_cache()
    yield
    sandbox.clear_knob_cache()
