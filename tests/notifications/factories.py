"""factory_boy factories for notifications: messages arranged directly (services are what tests test)."""

import factory

from notifications.models import Message, MessageKind
from tests.accounts.factories import PersonFactory


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    person = factory.SubFactory(PersonFactory)
    kind = MessageKind.WITHDRAWAL_DECIDED
    title = factory.Sequence(lambda n: f"消息{n}")
    body = "您的提取申请已批准。"
