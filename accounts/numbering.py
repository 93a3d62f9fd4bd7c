"""Account numbers: the city prefix, a sequence from a locked counter, and a Luhn check digit.

- Personal fund account 个人账号: 12 digits = city prefix (4) + sequence (7) + check (1).
- Unit account 单位账号: 11 digits = city prefix (4) + sequence (6) + check (1).

The city prefix is ``settings.FUNDPORTAL_CITY_PREFIX`` (default ``"3502"``, Xiamen's region
prefix). The Luhn digit catches every single mistyped digit and most swapped neighbours, the
errors people make when reading a number out at a counter or over the 12329 hotline.
"""

from django.conf import settings
from django.db import connection
from django.db.models import F

from accounts.models import NumberSequence
from core.identity import luhn_check_digit

FUND_ACCOUNT = "fund_account"
UNIT_ACCOUNT = "unit_account"
_SEQUENCE_DIGITS = {FUND_ACCOUNT: 7, UNIT_ACCOUNT: 6}


class SequenceExhausted(RuntimeError):
    """The series has used every number its width allows: widen the format, do not wrap."""


def city_prefix() -> str:
    return getattr(settings, "FUNDPORTAL_CITY_PREFIX", "3502")


def is_valid_number(number: str, series: str) -> bool:
    width = len(city_prefix()) + _SEQUENCE_DIGITS[series] + 1
    if len(number) != width or not number.isdigit():
        return False
    return luhn_check_digit(number[:-1]) == number[-1]


def format_number(series: str, value: int) -> str:
    digits = _SEQUENCE_DIGITS[series]
    if value >= 10**digits:
        raise SequenceExhausted(f"{series} sequence passed {10**digits - 1}")
    payload = f"{city_prefix()}{value:0{digits}d}"
    return payload + luhn_check_digit(payload)


def reserve_numbers(series: str, count: int = 1) -> list[str]:
    """Hand out ``count`` consecutive numbers of ``series``; requires the caller's transaction.

    The counter row is locked until the caller commits, so two openings never get the same
    number; a rolled-back transaction gives its numbers back.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("reserve_numbers must be called inside the caller's transaction.atomic()")
    if count < 1:
        return []
    NumberSequence.objects.get_or_create(name=series)
    # The UPDATE takes the row lock, held to commit, so concurrent openings queue here (on
    # SQLite the IMMEDIATE transaction already serialises writers).
    NumberSequence.objects.filter(name=series).update(last_value=F("last_value") + count)
    last = NumberSequence.objects.get(name=series).last_value
    return [format_number(series, value) for value in range(last - count + 1, last + 1)]
