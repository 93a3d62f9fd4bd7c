"""The 12329 hotline menu (IVR): the telephony system reports each key pressed, we say what to speak.

A call starts with the caller's number and language and asks for the ID number (the star key for
an X). Identity is the ID number plus a one-time code texted to the mobile registered with that ID
number — something the caller knows and something they hold; whether the ID number is registered
is never said, so the menu cannot be used to find out who has an account. Three wrong attempts
(a malformed ID number or a wrong code) lock the call. The verified caller then chooses 1 balance,
2 last deposit, 3 application progress, 9 to hear it again, 0 for an agent. A call where no key is
pressed for ``HOTLINE_CALL_IDLE_MINUTES`` is over. Every step is audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Person
from accounts.selectors import person_by_id_number
from audit.services import record_event
from core.crypto import blind_index, mask_id_number, mask_mobile
from core.exceptions import DomainError
from core.identity import InvalidIdNumber, InvalidMobile, normalise_mobile, parse_resident_id
from hotline import answers
from hotline.models import CLOSED_CALL_STATES, CallState, HotlineCall, Query, TextPurpose
from hotline.outbox import queue_text

ACTOR = "system:12329-hotline"
MAX_IDENTITY_FAILURES = 3
CODE_DIGITS = 6
LANGUAGES = ("zh-hans", "en")

# What the telephony system does after speaking the prompt.
COLLECT, TRANSFER, HANG_UP = "COLLECT", "TRANSFER", "HANG_UP"
# What the collected keys are.
ID_NUMBER, CODE, CHOICE = "ID_NUMBER", "CODE", "CHOICE"

AGENT = "0"
REPEAT = "9"
MENU_CHOICES = {"1": Query.BALANCE, "2": Query.DEPOSIT, "3": Query.PROGRESS}


class CallNotFound(DomainError):
    code = "CALL_NOT_FOUND"
    http_status = 404


@dataclass(frozen=True)
class Option:
    key: str
    label: str


@dataclass(frozen=True)
class CallStep:
    """What to tell the caller and what to do next; ``options`` are the keys the prompt offers."""

    call_id: str
    state: str
    prompt: str
    action: str
    expects: str | None = None
    options: list[Option] = field(default_factory=list)
    transfer_to: str = ""
    expires_at: datetime | None = None


def _spoken(*sentences: str) -> str:
    """Sentences run together as the language writes them: Chinese without spaces between."""
    separator = "" if translation.get_language().startswith("zh") else " "
    return separator.join(sentence for sentence in sentences if sentence)


def _idle() -> timedelta:
    return timedelta(minutes=settings.HOTLINE_CALL_IDLE_MINUTES)


def start_call(*, caller: str, language: str) -> CallStep:
    """Greet a new call and ask for the ID number."""
    language = language if language in LANGUAGES else answers.DEFAULT_LANGUAGE
    now = timezone.now()
    with transaction.atomic(durable=True):
        call = HotlineCall.objects.create(
            call_id=secrets.token_hex(16),
            caller=(caller or "").strip()[:20],
            language=language,
            started_at=now,
            expires_at=now + _idle(),
        )
        _audit(call, "hotline.call_started", "12329热线来电")
    with translation.override(call.language):
        return _ask_id(call, _("Welcome to the 12329 housing provident fund hotline."))


def press(*, call_id: str, keys: str) -> CallStep:
    """Act on the keys the caller pressed in call ``call_id``."""
    keys = (keys or "").strip().rstrip("#")
    with transaction.atomic(durable=True):
        # Locked: the telephony system may resend a step while the first is being answered.
        call = HotlineCall.objects.select_for_update().filter(call_id=call_id).first()
        if call is None:
            raise CallNotFound(_("There is no such call."))
        with translation.override(call.language):
            step = _next_step(call, keys)
        return step


def _next_step(call: HotlineCall, keys: str) -> CallStep:
    now = timezone.now()
    if call.state in CLOSED_CALL_STATES:
        return _closed(call, _("This call has ended. Please call again."))
    if call.expires_at <= now:
        call.state = CallState.ENDED
        call.save(update_fields=["state"])
        _audit(call, "hotline.call_expired", "12329热线来电超时结束")
        return _closed(call, _("This call has timed out. Please call again."))
    call.expires_at = now + _idle()
    call.save(update_fields=["expires_at"])
    if keys == AGENT:
        return _transfer(call)
    if call.state == CallState.AWAITING_ID:
        return _identify(call, keys)
    if call.state == CallState.AWAITING_CODE:
        return _verify(call, keys)
    return _menu_choice(call, keys)


# --- identity ---------------------------------------------------------------------------------


def _ask_id(call: HotlineCall, before: str = "") -> CallStep:
    prompt = _(
        "Please key in your ID number, then the hash key; for the letter X press the star key. "
        "For an agent, press 0."
    )
    return _collect(call, _spoken(before, prompt), expects=ID_NUMBER, options=[_agent_option()])


def _identify(call: HotlineCall, keys: str) -> CallStep:
    try:
        id_number = parse_resident_id(keys.replace("*", "X")).number
    except InvalidIdNumber:
        return _wrong_identity(call, _("That is not a valid ID number."), ask=_ask_id)
    person = person_by_id_number(id_number)
    call.claimed_person = person
    call.state = CallState.AWAITING_CODE
    sent = person is not None and _send_code(call, person)
    call.save(update_fields=["claimed_person", "state", "code_hash", "code_text"])
    _audit(
        call,
        "hotline.code_sent" if sent else "hotline.code_not_sent",
        f"12329热线 身份证号 {mask_id_number(id_number)}：{'已发送验证码' if sent else '未发送验证码'}",
    )
    return _ask_code(call)


def _send_code(call: HotlineCall, person: Person) -> bool:
    """Text a fresh code to the person's registered mobile, unless they have had enough this hour."""
    try:
        mobile = normalise_mobile(person.mobile or "")
    except InvalidMobile:
        return False
    hour_ago = timezone.now() - timedelta(hours=1)
    if (
        HotlineCall.objects.filter(claimed_person=person, code_text__created_at__gte=hour_ago).count()
        >= settings.HOTLINE_CODES_PER_HOUR
    ):
        # A stranger keying in someone's ID number again and again must not flood their phone.
        return False
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    call.code_hash = _code_hash(call, code)
    with translation.override(answers.language_of(person, asked_in=call.language)):
        text = _("Your 12329 hotline code is %(code)s. Never tell it to anyone who asks for it.") % {
            "code": code
        }
    call.code_text = queue_text(purpose=TextPurpose.IVR_CODE, mobile=mobile, text=text, send_within=_idle())
    return True


def _code_hash(call: HotlineCall, code: str) -> str:
    # Keyed and salted with the call: the stored hash of a 6-digit code cannot be looked up.
    return blind_index(f"{call.call_id}:{code}")


def _ask_code(call: HotlineCall, before: str = "") -> CallStep:
    prompt = _(
        "If this ID number is registered with the centre, we have texted a 6-digit code to the "
        "mobile number registered with it. Please key in the code, then the hash key."
    )
    return _collect(call, _spoken(before, prompt), expects=CODE, options=[_agent_option()])


def _verify(call: HotlineCall, keys: str) -> CallStep:
    if not call.code_hash or not secrets.compare_digest(call.code_hash, _code_hash(call, keys)):
        return _wrong_identity(call, _("That code is not right."), ask=_ask_code)
    call.person = call.claimed_person
    call.state = CallState.MENU
    call.code_hash = ""
    call.save(update_fields=["person", "state", "code_hash"])
    _audit(call, "hotline.identity_verified", "12329热线 身份核验通过")
    return _menu(call, _("Thank you, you are verified."))


def _wrong_identity(call: HotlineCall, why: str, *, ask) -> CallStep:
    call.failures += 1
    if call.failures >= MAX_IDENTITY_FAILURES:
        call.state = CallState.LOCKED
        call.code_hash = ""
        call.save(update_fields=["failures", "state", "code_hash"])
        _audit(call, "hotline.call_locked", f"12329热线 身份核验连续失败 {call.failures} 次，来电锁定")
        return _closed(
            call,
            _(
                "%(why)s Too many wrong attempts: for your security this call cannot go on. "
                "Please call again later, or visit a service hall."
            )
            % {"why": why},
        )
    call.save(update_fields=["failures"])
    _audit(call, "hotline.identity_failed", f"12329热线 身份核验失败（第 {call.failures} 次）")
    return ask(call, why)


# --- the menu ---------------------------------------------------------------------------------


def _menu_options() -> list[Option]:
    return [
        Option("1", _("Balance")),
        Option("2", _("Last deposit")),
        Option("3", _("Application progress")),
        Option(REPEAT, _("Hear it again")),
        _agent_option(),
    ]


def _menu(call: HotlineCall, before: str = "") -> CallStep:
    prompt = _(
        "For your balance press 1, for your last deposit press 2, for the progress of your latest "
        "application press 3, to hear it again press 9, for an agent press 0."
    )
    return _collect(call, _spoken(before, prompt), expects=CHOICE, options=_menu_options())


def _menu_choice(call: HotlineCall, keys: str) -> CallStep:
    if keys == REPEAT:
        keys = call.last_choice or REPEAT
    query = MENU_CHOICES.get(keys)
    if query is None:
        return _menu(call, "" if keys == REPEAT else _("Sorry, that is not one of the choices."))
    call.last_choice = keys
    call.save(update_fields=["last_choice"])
    _audit(call, "hotline.call_query", f"12329热线查询 {query}", data={"query": query})
    return _menu(call, answers.answer(query, call.person, call.language))


# --- endings ------------------------------------------------------------------------------------


def _agent_option() -> Option:
    return Option(AGENT, _("Agent"))


def _transfer(call: HotlineCall) -> CallStep:
    call.state = CallState.TRANSFERRED
    call.code_hash = ""
    call.save(update_fields=["state", "code_hash"])
    _audit(call, "hotline.call_transferred", "12329热线 转人工")
    return CallStep(
        call_id=call.call_id,
        state=call.state,
        prompt=_("Please hold: we are putting you through to an agent."),
        action=TRANSFER,
        transfer_to=settings.HOTLINE_AGENT_QUEUE,
        expires_at=call.expires_at,
    )


def _collect(call: HotlineCall, prompt: str, *, expects: str, options: list[Option]) -> CallStep:
    return CallStep(
        call_id=call.call_id,
        state=call.state,
        prompt=prompt,
        action=COLLECT,
        expects=expects,
        options=options,
        expires_at=call.expires_at,
    )


def _closed(call: HotlineCall, prompt: str) -> CallStep:
    return CallStep(
        call_id=call.call_id, state=call.state, prompt=prompt, action=HANG_UP, expires_at=call.expires_at
    )


def _audit(call: HotlineCall, action: str, summary: str, *, data: dict | None = None) -> None:
    record_event(
        actor=None,
        actor_label=ACTOR,
        action=action,
        target=call,
        summary=f"{summary}（来电 {mask_mobile(call.caller)}）",
        data={"state": call.state, "failures": call.failures, "person_id": call.person_id, **(data or {})},
    )
