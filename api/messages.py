"""``/me/messages``: the logged-in employee's in-portal messages, newest first, and marking them read."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from notifications.models import MessageKind
from notifications.selectors import message_page, unread_count
from notifications.services import mark_all_read, mark_read


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    kind_label = serializers.SerializerMethodField()
    title = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)

    def get_kind_label(self, message) -> str:
        return MessageKind(message.kind).label if message.kind in MessageKind.values else message.kind


class MessagePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    unread = serializers.IntegerField()
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    results = MessageSerializer(many=True)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class PageQuerySerializer(serializers.Serializer):
    page = serializers.IntegerField(required=False, min_value=1, default=1)


_MESSAGE_EXAMPLE = {
    "id": 1024,
    "kind": "deposit_arrived",
    "kind_label": "缴存已到账",
    "title": "缴存已到账",
    "body": "厦门鹭江物流有限公司为您缴存的2026年10月住房公积金2400.00元已到账。",
    "link": "/hall/statement/",
    "created_at": "2026-11-05T10:12:31+08:00",
    "read_at": None,
}


def _person_of(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise PermissionDenied(_("Only employees have messages."))
    return person


class MyMessagesView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("page", int, description="page number, from 1 (20 a page)")],
        responses={200: MessagePageSerializer, 400: ErrorSerializer},
        description="The employee's in-portal messages, newest first, with the unread count.",
        examples=[
            OpenApiExample(
                "The first page",
                value={"count": 23, "unread": 1, "page": 1, "pages": 2, "results": [_MESSAGE_EXAMPLE]},
                response_only=True,
            ),
        ],
    )
    def get(self, request):
        person = _person_of(request)
        query = PageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = message_page(person, page=query.validated_data["page"])
        body = {
            "count": page.paginator.count,
            "unread": unread_count(person),
            "page": page.number,
            "pages": page.paginator.num_pages,
            "results": list(page),
        }
        return Response(MessagePageSerializer(body).data)


class ReadMessageView(APIView):
    @extend_schema(
        request=None,
        responses={200: MessageSerializer, 404: ErrorSerializer},
        description="Mark one of the employee's messages read.",
        examples=[
            OpenApiExample(
                "Read",
                value={**_MESSAGE_EXAMPLE, "read_at": "2026-11-06T08:45:02+08:00"},
                response_only=True,
            ),
        ],
    )
    def post(self, request, message_id: int):
        message = mark_read(person=_person_of(request), message_id=message_id)
        return Response(MessageSerializer(message).data)


class ReadAllMessagesView(APIView):
    @extend_schema(
        request=None,
        responses=MarkedSerializer,
        description="Mark every unread message read.",
        examples=[OpenApiExample("Two marked", value={"marked": 2}, response_only=True)],
    )
    def post(self, request):
        marked = mark_all_read(person=_person_of(request))
        return Response(MarkedSerializer({"marked": marked}).data)
