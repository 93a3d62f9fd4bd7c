"""Template filters for the portal's edges: money shown in yuan, never computed here."""

from django import template

from core.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen):
    """Integer fen as a yuan string with two decimals ("1800.00"); empty for None."""
    if fen is None or fen == "":
        return ""
    return format_yuan(int(fen))
