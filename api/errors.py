"""Every API error in one shape: ``{"code", "detail", "errors": [{"field", "code", "message"}]}``."""

from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import DomainError


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the schema of endpoints that document their refusals."""

    code = serializers.CharField(help_text="stable upper-case identifier, e.g. LIST_STATE")
    detail = serializers.CharField(help_text="in the request's language")
    errors = FieldErrorSerializer(many=True)


def _field_errors(detail, prefix=""):
    """Flatten DRF's nested validation detail into ``[{field, code, message}]``."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            name = f"{prefix}{field}" if field != "non_field_errors" else (prefix.rstrip(".") or None)
            yield from _field_errors(value, prefix=f"{name}." if name else "")
    elif isinstance(detail, list):
        for item in detail:
            yield from _field_errors(item, prefix)
    else:
        yield {
            "field": prefix.rstrip(".") or None,
            "code": str(getattr(detail, "code", "invalid")).upper(),
            "message": str(detail),
        }


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {
            "code": exc.code,
            "detail": exc.message,
            "errors": [{"field": exc.field, "code": exc.code, "message": exc.message}] if exc.field else [],
        }
        return Response(body, status=getattr(exc, "http_status", status.HTTP_400_BAD_REQUEST))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "code": "VALIDATION_ERROR",
            "detail": str(exceptions.ValidationError.default_detail),
            "errors": list(_field_errors(exc.detail)),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        response.data = {
            "code": str(getattr(detail, "code", "error")).upper(),
            "detail": str(detail),
            "errors": [],
        }
    return response


@csrf_exempt  # like every API view: a POST to a wrong path gets the 404, not a CSRF page
def not_found(request, *args, **kwargs):
    """Any path under the API that no route matches: the house 404, in JSON, not Django's HTML page
    (``/withdrawals/abc`` is a client's mistake like ``/withdrawals/999``)."""
    return JsonResponse(
        {"code": "NOT_FOUND", "detail": gettext("Not found."), "errors": []}, status=status.HTTP_404_NOT_FOUND
    )
