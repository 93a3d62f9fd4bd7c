"""The electronic audit rules (电子稽核), one module each; ``all_rules`` is what the engine runs."""

from inspection.rules.base import AuditRule


def all_rules() -> tuple[AuditRule, ...]:
    return ()
