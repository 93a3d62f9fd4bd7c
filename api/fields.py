"""Serializer fields for the API's edges: money travels as a yuan string ("1800.00")."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.money import InvalidAmount, format_yuan, parse_yuan


@extend_schema_field({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "1800.00"})
class YuanField(serializers.Field):
    """Integer fen inside, a yuan string with two decimals outside; floats are refused."""

    default_error_messages = {
        "invalid": _('Enter an amount in yuan with at most two decimals, e.g. "1800.00".')
    }

    def to_representation(self, value):
        return format_yuan(value)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_yuan(data)
        except InvalidAmount as error:
            raise serializers.ValidationError(error.message, code=error.code) from error
