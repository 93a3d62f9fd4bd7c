"""The approvals fixtures (fake government sources, an in-memory query log) for the rules' tests."""

from tests.approvals.conftest import _fresh_parameters, gov_log, sources

__all__ = ["_fresh_parameters", "gov_log", "sources"]
