"""factory_boy factories for appointments: counters open Monday–Friday, a loan-signing service.

They arrange rows directly; tests of behaviour call ``appointments.services``.
"""

from datetime import time

import factory

from appointments.models import BookableService, Counter, CounterService, OpeningHours

MORNING = (time(9, 0), time(12, 0))
AFTERNOON = (time(13, 30), time(17, 0))


class CounterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Counter
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"counter-{n}")
    name = factory.Sequence(lambda n: f"第{n}服务网点")
    name_en = factory.Sequence(lambda n: f"Service counter {n}")
    address = "厦门市思明区湖滨南路1号"
    address_en = "1 Hubin South Road, Siming, Xiamen"


class BookableServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BookableService
        django_get_or_create = ["code"]

    code = "LOAN_SIGNING"
    name = "贷款合同签订"
    name_en = "Signing a loan contract"
    slot_minutes = 30


def counter_offering(
    service, *, capacity: int = 2, periods=(MORNING, AFTERNOON), weekdays=range(5), **fields
):
    """A counter offering ``service`` with ``capacity`` places a slot, open ``periods`` on ``weekdays``."""
    counter = CounterFactory(**fields)
    CounterService.objects.create(counter=counter, service=service, capacity=capacity)
    OpeningHours.objects.bulk_create(
        OpeningHours(counter=counter, weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday in weekdays
        for opens_at, closes_at in periods
    )
    return counter


def booked(starts_at, *, person=None, counter: str = "siming", service: str = "LOAN_SIGNING"):
    """A booking made through the service (by ``person``, or by someone else when none is given)."""
    from appointments.services import book_appointment
    from tests.accounts.factories import PersonFactory

    return book_appointment(
        person=person or PersonFactory(), service=service, counter=counter, starts_at=starts_at, actor=None
    )
