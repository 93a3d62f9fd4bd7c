import threading

import pytest
from django.db import connections
from django.utils import timezone

from integrations.models import GovQuery
from tests.accounts.factories import PersonFactory


@pytest.mark.django_db
def test_thread_write():
    PersonFactory()
    out = {}

    def work():
        try:
            GovQuery.objects.create(
                source="x",
                operation="y",
                purpose="p",
                requested_by="r",
                started_at=timezone.now(),
                latency_ms=1,
                outcome="OK",
                answer_digest="",
            )
            out["ok"] = GovQuery.objects.count()
        except Exception as e:
            out["err"] = repr(e)
        finally:
            connections.close_all()

    t = threading.Thread(target=work)
    t.start()
    t.join()
    print(out)
    assert 0, out
