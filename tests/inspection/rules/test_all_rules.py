import pytest
from django.utils import translation

from inspection.rules import all_rules
from inspection.rules.base import FAMILIES, SEVERITIES


class TestAllRules:
    def test_gives_every_rule_a_unique_code(self):
        codes = [rule.code for rule in all_rules()]

        assert len(codes) == len(set(codes)) == 8

    @pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
    def test_each_rule_fills_in_the_contract(self, rule):
        assert rule.family in FAMILIES
        assert rule.severity in SEVERITIES
        assert isinstance(rule.actions, frozenset)
        # Exact actions, app prefixes ("ledger.*") or every action ("*"), as the engine matches them.
        assert all(action == "*" or "." in action for action in rule.actions)

    @pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.code)
    def test_each_rule_has_a_name_in_both_languages(self, rule):
        with translation.override("en"):
            english = rule.title()
        with translation.override("zh-hans"):
            chinese = rule.title()

        assert english
        assert chinese != english
