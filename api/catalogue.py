"""``GET /services`` and ``GET /services/{code}``: the 最多跑一趟 service catalogue (public, CONTRACT.md).

No login: channel apps show the catalogue before anyone signs in. Texts come in the request's
language (``Accept-Language``: zh-hans by default, en).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import ErrorSerializer
from api.fields import query_data
from catalogue.models import Category, Channel
from catalogue.selectors import MAX_QUERY_LENGTH, online_path, published_item, service_items_query


class ServiceQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=MAX_QUERY_LENGTH,
        help_text="words to find in the name, code, notes or materials, Chinese or English; all must match",
    )
    category = serializers.ChoiceField(choices=Category.values, required=False, help_text="one category")
    # Left out means either; an empty or null value is refused like any other that is not a boolean.
    online = serializers.BooleanField(
        required=False, default=None, help_text="true: only fully online services"
    )
    instant = serializers.BooleanField(required=False, default=None, help_text="true: only 秒批 services")


class ServiceItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="stable identifier, e.g. WITHDRAW_RENT")
    name = serializers.CharField(source="label", help_text="in the request's language")
    category = serializers.ChoiceField(choices=Category.values)
    category_label = serializers.CharField()
    materials = serializers.ListField(
        source="material_list", child=serializers.CharField(), help_text="empty: nothing to bring"
    )
    notes = serializers.CharField(source="notes_label")
    office = serializers.CharField(source="office_label", help_text="the responsible office")
    time_limit_days = serializers.IntegerField(help_text="legal time limit in working days; 0: on the spot")
    fully_online = serializers.BooleanField()
    instant = serializers.BooleanField(help_text="秒批: decided by the rules in seconds")
    online_url = serializers.SerializerMethodField(
        help_text="the path of the portal page where it starts; null when none"
    )
    appointment_service = serializers.SerializerMethodField(
        help_text="the code to book a counter visit with (/appointments); null when none"
    )
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.values))
    channel_labels = serializers.ListField(child=serializers.CharField())
    updated_at = serializers.DateTimeField()

    def get_online_url(self, item) -> str | None:
        return online_path(item)

    def get_appointment_service(self, item) -> str | None:
        return item.appointment_service or None


_RENT = {
    "code": "WITHDRAW_RENT",
    "name": "租房提取",
    "category": "WITHDRAWALS",
    "category_label": "提取",
    "materials": [],
    "notes": "连续足额缴存满3个月，本人及配偶在本市无自有住房；每人每月1800元，可按月或按季提取。",
    "office": "提取科",
    "time_limit_days": 0,
    "fully_online": True,
    "instant": True,
    "online_url": "/hall/withdraw/RENT/",
    "appointment_service": None,
    "channels": ["WEB_HALL", "MOBILE_APP", "MINI_PROGRAM", "COUNTER"],
    "channel_labels": ["网上服务大厅", "手机App", "微信、支付宝小程序", "服务柜台"],
    "updated_at": "2026-11-27T10:00:00+08:00",
}
_SIGNING = {
    "code": "LOAN_CONTRACT_SIGNING",
    "name": "Signing the loan contract",
    "category": "LOANS",
    "category_label": "Loans",
    "materials": ["The borrower's and any co-borrower's identity cards"],
    "notes": "Once the loan is approved, the borrower and any co-borrower book a visit and sign the "
    "contract in person at a counter.",
    "office": "Service counters of every branch",
    "time_limit_days": 0,
    "fully_online": False,
    "instant": False,
    "online_url": None,
    "appointment_service": "LOAN_SIGNING",
    "channels": ["COUNTER"],
    "channel_labels": ["Service counters"],
    "updated_at": "2026-11-27T10:00:00+08:00",
}


class ServicesView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        parameters=[ServiceQuerySerializer],
        responses={200: ServiceItemSerializer(many=True), 400: ErrorSerializer},
        auth=[],
        description="The published service catalogue (最多跑一趟), by category (归集, 提取, 贷款) then "
        "display order: what each service needs, who handles it, its time limit, whether it is fully "
        "online or approved in seconds, and where it starts. Filter with `q` (words in either "
        "language), `category`, `online` and `instant`. Texts follow Accept-Language.",
        examples=[
            OpenApiExample("Rent withdrawal (zh-hans)", value=_RENT, response_only=True),
            OpenApiExample("A counter service (en)", value=_SIGNING, response_only=True),
        ],
    )
    def get(self, request):
        query = ServiceQuerySerializer(data=query_data(request))
        query.is_valid(raise_exception=True)
        filters = query.validated_data
        items = service_items_query(
            q=filters.get("q", ""),
            category=filters.get("category", ""),
            online=filters.get("online"),
            instant=filters.get("instant"),
        )
        return Response(ServiceItemSerializer(items, many=True).data)


class ServiceView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()

    @extend_schema(
        responses={200: ServiceItemSerializer, 404: ErrorSerializer},
        auth=[],
        description="One published service of the catalogue by its code; 404 when there is none.",
        examples=[OpenApiExample("Rent withdrawal (zh-hans)", value=_RENT, response_only=True)],
    )
    def get(self, request, code: str):
        item = published_item(code)
        if item is None:
            raise NotFound(_("There is no such service in the catalogue."))
        return Response(ServiceItemSerializer(item).data)
