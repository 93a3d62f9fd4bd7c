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


def query_data(request) -> dict[str, str]:
    """The request's query parameters for a query serializer, each as its last value.

    A plain dict, not the QueryDict: DRF reads an empty value in a QueryDict (``?to=``) as no
    value at all for an optional field, so ``?to=`` would quietly mean "no end date" while the
    schema says ``to`` is a date. Given this way, an empty value is checked like any other and
    refused when it is not valid (400 VALIDATION_ERROR); leave a parameter out to omit it.
    """
    return request.query_params.dict()


class StrictCharField(serializers.CharField):
    """A string that must arrive as a JSON string: DRF's CharField would take ``0`` or ``true`` and
    keep ``"0"`` or ``"True"``, accepting what the schema documents as wrong."""

    default_error_messages = {"invalid": _("Enter text, not a number or true/false.")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
