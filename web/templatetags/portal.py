"""Template filters for the portal's edges: money shown in yuan, never computed here."""

from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen as yuan for reading, thousands grouped ("1,076,006.16"); empty for None.

    Pages only: a unit's list totals run to millions. Form values and files keep the plain
    ``format_yuan`` text that parse_yuan and spreadsheets read back.
    """
    if fen is None or fen == "":
        return ""
    text = format_yuan(int(fen))
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, fraction = digits.split(".")
    return f"{sign}{int(whole):,}.{fraction}"
