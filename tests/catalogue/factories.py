"""factory_boy factories for the catalogue: one published counter service, unless told otherwise."""

import factory

from catalogue.models import ServiceItem


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"TEST_ITEM_{n}")
    name = factory.Sequence(lambda n: f"测试事项{n}")
    name_en = factory.Sequence(lambda n: f"Test service {n}")
    category = "DEPOSITS"
    office = "归集科"
    office_en = "Collection Section"
    time_limit_days = 5
    channels = factory.LazyFunction(lambda: ["COUNTER"])
