"""Hypothesis strategies for every facts class, built from the dataclass type hints.

Field names with a small domain (statuses, region codes, months) draw from it, so generated facts
reach the interesting branches of the rules; everything else draws from its whole type.
"""

import types
import typing
from dataclasses import fields
from datetime import date

from hypothesis import strategies as st

from approvals.engine import UNKNOWN, Facts, Unknown

REGIONS = st.sampled_from(["350203", "350206", "350102", "110105", "3502"])
DATES = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))

BY_NAME = {
    "account_status": st.sampled_from(["01", "02", "03", "04", "05", "06", "99"]),
    "hukou_region": REGIONS,
    "region_code": REGIONS,
    "self_home_regions": st.lists(REGIONS, max_size=3).map(tuple),
    "spouse_home_regions": st.lists(REGIONS, max_size=3).map(tuple),
    "marital_status": st.sampled_from(["married", "single", "divorced", "widowed"]),
    "relation": st.sampled_from(["self", "spouse", "parent", "child"]),
    "centre_loan_status": st.sampled_from(["repaying", "settled"]),
    "consecutive_deposit_months": st.integers(0, 60),
    "period_months": st.integers(0, 13),
    "term_months": st.integers(0, 480),
    "birth_year": st.integers(1940, 2010),
    "birth_month": st.integers(1, 12),
    "overdue_months": st.integers(0, 24),
    "requested_amount": st.integers(-10, 10**10),
    "centre": st.sampled_from(["厦门", "福州"]),
}
BY_CLASS_AND_NAME = {
    ("PurchasedProperty", "kind"): st.sampled_from(["new", "resale"]),
    ("BureauLoan", "kind"): st.sampled_from(["fund", "commercial"]),
    ("BureauLoan", "status"): st.sampled_from(["repaying", "settled"]),
}


def _for_type(tp, *, domain=None, free=False):
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return st.one_of([_for_type(arg, domain=domain, free=free) for arg in typing.get_args(tp)])
    if tp is type(None):
        return st.none()
    if tp is Unknown:
        return st.just(UNKNOWN)
    if domain is not None:
        return domain
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers() if free else st.integers(0, 10**10)
    if tp is str:
        return st.text(max_size=8)
    if tp is date:
        return st.dates() if free else DATES
    if typing.get_origin(tp) is tuple:
        return st.lists(_for_type(typing.get_args(tp)[0], free=free), max_size=3).map(tuple)
    if isinstance(tp, type) and issubclass(tp, Facts):
        return facts_of(tp, free=free)
    raise TypeError(tp)


def facts_of(cls, *, free: bool = False):
    """Facts of ``cls``; with ``free`` every field draws from its whole type (any string, any int)."""
    hints = typing.get_type_hints(cls)
    strategies = {}
    for field in fields(cls):
        domain = None if free else BY_CLASS_AND_NAME.get((cls.__name__, field.name), BY_NAME.get(field.name))
        strategies[field.name] = _for_type(hints[field.name], domain=domain, free=free)
    return st.builds(cls, **strategies)
