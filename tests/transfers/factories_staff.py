"""Cross-city transfer rows in a given state, for the staff pages' lists and counts.

Made directly (no platform conversation), so only in states whose constraints need no ledger
entry: the money-moving states are reached through the services in the tests that need them.
"""

import factory

from integrations.transfer_platform import ports
from tests.accounts.factories import FundAccountFactory
from transfers.models import IncomingStatus, IncomingTransfer, OutgoingStatus, OutgoingTransfer


class IncomingTransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IncomingTransfer

    account = factory.SubFactory(FundAccountFactory)
    person = factory.LazyAttribute(lambda o: o.account.person)
    sending_city_code = "310000"
    sending_city_name = "上海市"
    status = IncomingStatus.SENT
    platform_status = factory.LazyAttribute(
        lambda o: "" if o.status == IncomingStatus.PENDING else ports.LETTER_RECEIVED
    )
    letter_ref = factory.Sequence(lambda n: f"TI{n:010d}")
    platform_ref = factory.LazyAttribute(
        lambda o: None if o.status == IncomingStatus.PENDING else f"PLT{o.letter_ref}"
    )


class OutgoingTransferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutgoingTransfer

    account = factory.SubFactory(FundAccountFactory)
    person = factory.LazyAttribute(lambda o: o.account.person)
    id_number_index = factory.LazyAttribute(lambda o: o.account.person.id_number_index)
    platform_ref = factory.Sequence(lambda n: f"OUT{n:010d}")
    receiving_city_code = "110000"
    receiving_city_name = "北京市"
    status = OutgoingStatus.RECEIVED
    refusal_code = factory.LazyAttribute(
        lambda o: (
            ports.LOAN_UNSETTLED if o.status in (OutgoingStatus.REFUSING, OutgoingStatus.REFUSED) else ""
        )
    )
