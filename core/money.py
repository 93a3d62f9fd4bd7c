"""Money as integer fen (分): parsing and formatting yuan strings at the edges, rounding computed amounts.

Inside the domain and in the database every amount is an ``int`` number of fen; a yuan string
("1800.00") exists only where a person types or reads an amount. Floats are refused everywhere:
``0.1 + 0.2`` is not money.

What :func:`parse_yuan` accepts (surrounding whitespace is ignored):

- digits with at most two decimals: ``"1800"``, ``"1800.5"``, ``"1800.00"``, ``"0.05"``;
- thousands separators in correct groups of three, as spreadsheets export them: ``"1,800.00"``,
  ``"12,345,678.9"``; badly grouped commas (``"1,80"``, ``"18,00.00"``) are refused because in some
  locales the comma is the decimal mark and guessing would move money by a factor of 100;
- full-width digits and punctuation typed with a Chinese input method (``"１８００．００"``);
- a leading ``-`` only with ``allow_negative=True`` (a refund or a correction);
- at most 16 digits before the decimal point, so every result fits a ``BigIntegerField``.

It refuses ``.5`` and ``5.`` (a digit must stand on each side of the point), ``+5``, ``¥5``,
exponents, ``NaN`` and anything that is not a ``str``: a ``float`` has already lost precision and
a bare ``int`` is ambiguous (yuan or fen?). Code holding a :class:`~decimal.Decimal` amount of
yuan uses :func:`yuan_to_fen`.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError

Fen = int

#: ``deposit.rounding`` values understood by :func:`round_fen`.
FEN_HALF_UP = "FEN_HALF_UP"
YUAN_HALF_UP = "YUAN_HALF_UP"
ROUNDING_MODES = (FEN_HALF_UP, YUAN_HALF_UP)

_MAX_INTEGER_DIGITS = 16
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－", "0123456789.,-")
_YUAN = re.compile(
    r"(?P<sign>-)?(?P<integer>[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+)(?:\.(?P<fraction>[0-9]{1,2}))?",
    re.ASCII,
)


class InvalidAmount(DomainError):
    code = "INVALID_AMOUNT"


def parse_yuan(text: str, *, allow_negative: bool = False) -> Fen:
    """Return the fen in a yuan string such as ``"1,800.50"`` (180050); see the module docstring."""
    if not isinstance(text, str):
        raise InvalidAmount(_("An amount must be given as text, for example 1800.00."))
    normalised = text.strip().translate(_FULL_WIDTH)
    if not normalised:
        raise InvalidAmount(_("Enter an amount."))
    match = _YUAN.fullmatch(normalised)
    if match is None:
        if re.fullmatch(r"-?[0-9,]+\.[0-9]{3,}", normalised, re.ASCII):
            raise InvalidAmount(_("An amount has at most two decimals (whole fen)."))
        raise InvalidAmount(_("Enter an amount in yuan, for example 1800.00."))
    if match["sign"] and not allow_negative:
        raise InvalidAmount(_("The amount may not be negative."))
    integer = match["integer"].replace(",", "")
    if len(integer.lstrip("0")) > _MAX_INTEGER_DIGITS:
        raise InvalidAmount(_("The amount is too large."))
    fen = int(integer) * 100 + int((match["fraction"] or "").ljust(2, "0"))
    return -fen if match["sign"] else fen


def yuan_to_fen(yuan: Decimal) -> Fen:
    """Return the fen in an exact :class:`~decimal.Decimal` amount of yuan (``Decimal("18.5")`` → 1850).

    An amount with fractions of a fen is refused rather than rounded: rounding is a business
    decision, made explicitly with :func:`round_fen`.
    """
    if not isinstance(yuan, Decimal):
        raise InvalidAmount(_("An amount in yuan must be a Decimal."))
    if not yuan.is_finite():
        raise InvalidAmount(_("Enter an amount in yuan, for example 1800.00."))
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise InvalidAmount(_("An amount has at most two decimals (whole fen)."))
    return int(fen)


def format_yuan(fen: Fen) -> str:
    """Return the yuan string for an amount of fen: 180000 → ``"1800.00"``, -5 → ``"-0.05"``."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError(f"format_yuan expects an int number of fen, not {type(fen).__name__}")
    sign = "-" if fen < 0 else ""
    yuan, remainder = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{remainder:02d}"


def round_fen(fen: Decimal | int, mode: str = FEN_HALF_UP) -> Fen:
    """Round a computed amount of fen (base × rate, balance × days × rate / 360) to whole fen.

    ``mode`` is the ``deposit.rounding`` policy value: ``FEN_HALF_UP`` rounds to the nearest fen,
    ``YUAN_HALF_UP`` to the nearest whole yuan (a multiple of 100 fen). Halves round away from
    zero (``ROUND_HALF_UP``), for negative amounts too: -0.5 fen becomes -1.
    """
    if isinstance(fen, bool) or not isinstance(fen, Decimal | int):
        raise TypeError(f"round_fen expects a Decimal or int number of fen, not {type(fen).__name__}")
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}; expected one of {ROUNDING_MODES}")
    unit = Decimal(100) if mode == YUAN_HALF_UP else Decimal(1)
    try:
        units = (Decimal(fen) / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except InvalidOperation as error:
        raise ValueError(f"cannot round {fen!r} to whole fen") from error
    return int(units * unit)


def share_fen(fen: Fen, numerator: int, denominator: int, mode: str = FEN_HALF_UP) -> Fen:
    """``fen × numerator / denominator`` rounded like :func:`round_fen`, in integers only.

    The same result as ``round_fen(Decimal(fen * numerator) / denominator, mode)`` without a
    Decimal per call: a 50,000-row deposit list computes 100,000 of these.
    """
    if mode not in ROUNDING_MODES:
        raise ValueError(f"unknown rounding mode {mode!r}; expected one of {ROUNDING_MODES}")
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    unit = denominator * 100 if mode == YUAN_HALF_UP else denominator
    value = fen * numerator
    quotient, remainder = divmod(abs(value), unit)
    if 2 * remainder >= unit:  # half up, away from zero
        quotient += 1
    result = quotient * 100 if mode == YUAN_HALF_UP else quotient
    return -result if value < 0 else result
