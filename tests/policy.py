"""The seeded policy parameters, for tests that run after a transactional test's flush."""

import importlib

from core.models import PolicyParameter


def ensure_policy_parameters() -> None:
    """The migration's default parameters, where a transactional test's flush has removed them
    (pytest-django runs tests without the database after those); decisions and lists need them."""
    for migration in ("0003_seed_policy", "0004_seed_loan_approval_policy"):
        defaults = importlib.import_module(f"core.migrations.{migration}").DEFAULTS
        for key, value, effective_from, note in defaults:
            PolicyParameter.objects.get_or_create(
                key=key, effective_from=effective_from, defaults={"value": value, "note": note}
            )
