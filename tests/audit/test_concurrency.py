"""Writers appending in parallel on PostgreSQL still produce one unbroken chain."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import record_event

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class TestRecordEventConcurrently:
    def test_parallel_writers_keep_the_chain_intact(self):
        barrier = threading.Barrier(8)
        errors = []

        def append(i):
            try:
                barrier.wait()
                for step in range(10):
                    with transaction.atomic(durable=True):
                        record_event(actor=None, action="x.parallel", summary=f"writer {i} step {step}")
            except Exception as error:  # collected for the assertion
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=append, args=(i,)) for i in range(8)]
        connection.close()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert errors == []
        assert AuditEvent.objects.count() == 80
        call_command("verify_audit_chain")
