"""The key-rotation settings read from the environment."""

from fundportal.settings.privacy import _retired_keys

KEY = "ZGV2LW9ubHktZmllbGQta2V5LWZ1bmRwb3J0YWwtMDE="


class TestRetiredKeys:
    def test_reads_versions_and_keys_ending_in_padding(self):
        keys = _retired_keys(f"1:{KEY}, 2:{KEY[:-1]}A=")

        assert keys == {1: KEY, 2: f"{KEY[:-1]}A="}

    def test_reads_nothing_as_no_retired_key(self):
        assert _retired_keys("") == {}
