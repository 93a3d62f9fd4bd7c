import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from audit.models import AuditEvent
from audit.services import record_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain():
    with transaction.atomic():
        return [
            record_event(actor=None, action="x.step", summary=f"step {i}", data={"i": i}) for i in range(5)
        ]


def drop_triggers(vendor):
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_event_insert_only ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")


class TestVerifyAuditChain:
    def test_passes_an_intact_chain(self, chain, capsys):
        call_command("verify_audit_chain")

        out = capsys.readouterr().out
        assert "events checked: 5" in out
        assert "audit chain intact" in out

    def test_detects_an_edit_made_with_the_trigger_dropped(self, chain, vendor, capsys):
        drop_triggers(vendor)  # DDL is transactional on both databases: rolled back after the test
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET summary = 'nothing happened' WHERE sequence = 3")

        with pytest.raises(CommandError) as failure:
            call_command("verify_audit_chain")

        assert failure.value.returncode == 1
        assert "first broken sequence 3" in str(failure.value)
        assert "#3: hash does not match" in capsys.readouterr().out

    def test_detects_a_forged_event_inserted_with_raw_sql(self, chain):
        last = chain[-1]
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO audit_auditevent (sequence, occurred_at, actor_label, action, target_id,"
                " target_repr, summary, data, prev_hash, hash) VALUES (%s, %s, 'x', 'x.forged', '', '',"
                " 'forged', '{}', %s, %s)",
                [last.sequence + 1, last.occurred_at, last.hash, "f" * 64],
            )

        with pytest.raises(CommandError, match="first broken sequence 6"):
            call_command("verify_audit_chain")


class TestAuditTriggers:
    @pytest.mark.parametrize(
        "sql",
        ["UPDATE audit_auditevent SET summary = 'edited' WHERE sequence = 1", "DELETE FROM audit_auditevent"],
        ids=["update", "delete"],
    )
    def test_refuse_changing_recorded_events(self, chain, sql):
        with (
            pytest.raises(IntegrityError, match="insert-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)

        assert AuditEvent.objects.count() == 5
