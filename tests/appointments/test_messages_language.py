"""Every message about a booking is written in the person's language, and its text names the
counter, the date and time and the reference in that language."""

from datetime import timedelta

import pytest

from accounts.models import Person
from appointments.services import cancel_appointment, remind_booking, reschedule_appointment
from notifications.models import Message, MessageKind, SmsOutbox
from notifications.text import CHINESE_CHARACTER
from tests.appointments.clock import TUESDAY, WEDNESDAY, at
from tests.appointments.factories import booked, counter_offering

pytestmark = pytest.mark.usefixtures("frozen")

#: What each language reads: the title of each kind, the visit's time and the counter's name.
EXPECTED = {
    "zh-hans": {
        MessageKind.APPOINTMENT_BOOKED: "预约成功",
        MessageKind.APPOINTMENT_RESCHEDULED: "预约时间已更改",
        MessageKind.APPOINTMENT_CANCELLED: "预约已取消",
        MessageKind.APPOINTMENT_REMINDER: "预约提醒",
        "tuesday": "2026年9月29日09:30–10:00",
        "wednesday": "2026年9月30日14:00–14:30",
        "counter": "思明服务网点",
        "address": "（厦门市思明区湖滨南路1号）",
        "separator": "：",
    },
    "en": {
        MessageKind.APPOINTMENT_BOOKED: "Appointment booked",
        MessageKind.APPOINTMENT_RESCHEDULED: "Appointment time changed",
        MessageKind.APPOINTMENT_CANCELLED: "Appointment cancelled",
        MessageKind.APPOINTMENT_REMINDER: "Appointment reminder",
        "tuesday": "29 Sep 2026 09:30–10:00",
        "wednesday": "30 Sep 2026 14:00–14:30",
        "counter": "Siming service counter",
        "address": "(1 Hubin South Road, Siming, Xiamen)",
        "separator": ": ",
    },
}


@pytest.fixture
def counter(service):
    return counter_offering(service, code="siming", name="思明服务网点", name_en="Siming service counter")


def speaking(person, language):
    Person.objects.filter(pk=person.pk).update(language=language)
    person.language = language
    return person


def message_of(person, kind) -> Message:
    return Message.objects.filter(person=person, kind=kind).latest("pk")


def assert_in_language(message: Message, language: str, *, reference: str, when: str, address: bool = True):
    """The message and its queued text are in ``language`` and name the counter, time and reference."""
    expected = EXPECTED[language]
    assert message.language == language
    assert message.title == expected[message.kind]
    for part in (expected["counter"], expected[when], reference):
        assert part in message.body, message.body
    if address:
        assert expected["address"] in message.body, message.body
    if language == "en":
        assert not CHINESE_CHARACTER.search(message.title + message.body), message.body
    sms = SmsOutbox.objects.get(message=message)
    assert sms.status in ("PENDING", "SENT")
    assert sms.text.startswith(f"【住房公积金】{message.title}{expected['separator']}"), sms.text
    for part in (expected["counter"], expected[when], reference):
        assert part in sms.text, sms.text


@pytest.mark.parametrize("language", ["zh-hans", "en"])
class TestInThePersonsLanguage:
    def test_booking_confirmation(self, language, counter, person, django_capture_on_commit_callbacks):
        speaking(person, language)
        with django_capture_on_commit_callbacks(execute=True):
            booking = booked(at(TUESDAY, 9, 30), person=person)

        message = message_of(person, MessageKind.APPOINTMENT_BOOKED)
        assert_in_language(message, language, reference=booking.reference, when="tuesday")

    def test_reminder_the_day_before(self, language, frozen, counter, person):
        speaking(person, language)
        booking = booked(at(TUESDAY, 9, 30), person=person)
        frozen.move_to(at(TUESDAY - timedelta(days=1), 18))

        assert remind_booking(booking_id=booking.pk)

        message = message_of(person, MessageKind.APPOINTMENT_REMINDER)
        assert_in_language(message, language, reference=booking.reference, when="tuesday")
        if language == "en":
            assert "if you cannot come, please cancel in advance" in message.body
        else:
            assert "如不能前往，请提前取消" in message.body

    def test_rescheduled(self, language, counter, person):
        speaking(person, language)
        booking = booked(at(TUESDAY, 9, 30), person=person)

        reschedule_appointment(person=person, booking_id=booking.pk, starts_at=at(WEDNESDAY, 14), actor=None)

        message = message_of(person, MessageKind.APPOINTMENT_RESCHEDULED)
        assert_in_language(message, language, reference=booking.reference, when="wednesday")

    def test_cancelled(self, language, counter, person):
        speaking(person, language)
        booking = booked(at(TUESDAY, 9, 30), person=person)

        cancel_appointment(person=person, booking_id=booking.pk, actor=None)

        message = message_of(person, MessageKind.APPOINTMENT_CANCELLED)
        assert_in_language(message, language, reference=booking.reference, when="tuesday", address=False)


def test_the_chinese_wording_is_unchanged(counter, person):
    booking = booked(at(TUESDAY, 9, 30), person=person)

    message = message_of(person, MessageKind.APPOINTMENT_BOOKED)

    assert message.body == (
        f"您已预约2026年9月29日09:30–10:00在思明服务网点（厦门市思明区湖滨南路1号）办理贷款合同签订，"
        f"预约号{booking.reference}。请携带本人身份证件按时前往。"
    )


def test_a_counter_without_an_english_name_is_named_in_chinese_to_an_english_reader(service, person):
    counter_offering(service, code="siming", name="思明服务网点", name_en="", address_en="")
    speaking(person, "en")

    booking = booked(at(TUESDAY, 9, 30), person=person)

    message = message_of(person, MessageKind.APPOINTMENT_BOOKED)
    assert message.title == "Appointment booked"
    assert "思明服务网点 (厦门市思明区湖滨南路1号)" in message.body
    assert "Signing a loan contract" in message.body
    assert booking.reference in message.body
