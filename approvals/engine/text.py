"""Dates and amounts in citizen-facing messages, in Chinese and English."""

from datetime import date

_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def zh_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def en_date(day: date) -> str:
    return f"{day.day} {_EN_MONTHS[day.month - 1]} {day.year}"


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def zh_yuan(fen: int) -> str:
    return f"{_yuan(fen)}元"


def en_yuan(fen: int) -> str:
    return f"CNY {_yuan(fen)}"
