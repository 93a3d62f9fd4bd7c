"""Builders of the messages the withdrawal flow sends: stored text, in Chinese (see models).

Each returns a :class:`Notice`; pass it on with ``notify(person=..., **notice.as_kwargs())``.
Amounts are integer fen; bank cards are masked whatever the caller passes in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from core.crypto import mask_bank_card
from core.money import format_yuan
from notifications.models import MessageKind

#: The Chinese name of each withdrawal reason, for stored text (DOMAIN.md §6, CONTRACT.md values).
WITHDRAWAL_REASON_RECORD_NAMES: dict[str, str] = {
    "LEAVING_CITY": "离职离开本市",
    "RETIREMENT": "退休",
    "LIXIU": "离休",
    "PURCHASE_IN_CITY": "本市购房",
    "RENT": "租房",
    "LOAN_REPAYMENT_ANNUAL": "偿还公积金贷款（按年）",
    "LOAN_REPAYMENT_MONTHLY": "委托按月还贷",
    "PURCHASE_ELSEWHERE": "外地购房",
    "BUILD_RENOVATE": "建造、翻建、大修自住住房",
    "COMMERCIAL_LOAN_REPAYMENT": "偿还商业住房贷款",
    "EMIGRATION": "出境定居",
    "INCAPACITY": "完全丧失劳动能力",
    "DEATH": "职工死亡",
    "SERIOUS_ILLNESS": "重大疾病",
    "DISASTER": "遭受自然灾害",
    "ELEVATOR": "既有住宅加装电梯",
}

APPROVED = "APPROVED"
REJECTED = "REJECTED"
REFERRED = "REFERRED"
# The engine's outcomes (APPROVE, …) and the application statuses (APPROVED, …) both name a decision.
_OUTCOMES = {
    "APPROVE": APPROVED,
    "REJECT": REJECTED,
    "REFER": REFERRED,
    APPROVED: APPROVED,
    REJECTED: REJECTED,
    REFERRED: REFERRED,
}


@dataclass(frozen=True)
class Notice:
    kind: str
    title: str
    body: str
    link: str = ""

    def as_kwargs(self) -> dict[str, str]:
        return {"kind": self.kind, "title": self.title, "body": self.body, "link": self.link}


def _yuan(fen: int) -> str:
    """``180000`` → ``1,800.00元``: grouped, as the pages show amounts (a text is read, not typed)."""
    whole, cents = format_yuan(fen).split(".")
    return f"{int(whole):,}.{cents}元"


def _card(card: str) -> str:
    """The card masked; a card already masked (or given as its last digits) named by its last four."""
    digits = "".join((card or "").split())
    if not digits:
        return "您本人的银行卡"
    if "*" in digits or len(digits) <= 4:
        return f"尾号{digits[-4:]}的银行卡"
    return f"银行卡{mask_bank_card(digits)}"


def _day(value: date | datetime) -> str:
    if isinstance(value, datetime):
        value = timezone.localtime(value)
        return f"{value.year}年{value.month}月{value.day}日{value.hour:02d}:{value.minute:02d}"
    return f"{value.year}年{value.month}月{value.day}日"


def reason_name(reason: str) -> str:
    return WITHDRAWAL_REASON_RECORD_NAMES.get(reason, reason)


def payout_sent(*, amount: int, card: str, bank_name: str = "", link: str = "") -> Notice:
    """The centre has instructed its bank to pay a withdrawal to the applicant's card."""
    bank = f"（{bank_name}）" if bank_name else ""
    return Notice(
        MessageKind.PAYOUT_SENT,
        "提取款项已汇出",
        f"您的公积金提取款{_yuan(amount)}已汇往{_card(card)}{bank}，到账时间以银行为准。",
        link,
    )


def payout_paid(*, amount: int, card: str, paid_on: date | None = None, link: str = "") -> Notice:
    """The bank reports the money credited to the card."""
    when = f"已于{_day(paid_on)}" if paid_on else "已"
    return Notice(
        MessageKind.PAYOUT_PAID,
        "提取款项已到账",
        f"您的公积金提取款{_yuan(amount)}{when}转入{_card(card)}。",
        link,
    )


def payout_failed(*, amount: int, card: str, reason: str = "", link: str = "") -> Notice:
    """The bank could not pay; the amount is back in the fund account."""
    why = f"（{reason.rstrip('。')}）" if reason else ""
    return Notice(
        MessageKind.PAYOUT_FAILED,
        "提取款项未能转入，已退回账户",
        f"您的公积金提取款{_yuan(amount)}未能转入{_card(card)}{why}，款项已退回您的公积金账户。"
        "请核对本人银行卡信息后重新申请，或拨打12329咨询。",
        link,
    )


def withdrawal_decided(
    *,
    reason: str,
    outcome: str,
    reasons: Sequence[str] = (),
    amount: int | None = None,
    application_id: int | None = None,
    link: str = "",
) -> Notice:
    """An application's decision: approved, rejected or referred, with its plain reasons.

    ``reason`` is the withdrawal reason code (``RENT``); ``outcome`` the engine's outcome or the
    application's status; ``reasons`` the citizen-facing explanations (pass the Chinese texts:
    ``Reason.zh_hans``).
    """
    decided = _OUTCOMES.get(outcome)
    if decided is None:
        raise ValueError(f"unknown outcome {outcome!r}")
    what = f"{reason_name(reason)}提取申请"
    number = f"（编号{application_id}）" if application_id is not None else ""
    explained = "".join(text if text.endswith("。") else f"{text}。" for text in reasons if text)
    if decided == APPROVED:
        title = "提取申请已批准"
        money = f"，提取金额{_yuan(amount)}" if amount is not None else ""
        body = f"您的{what}{number}已批准{money}，款项将转入您本人的银行卡。"
    elif decided == REJECTED:
        title = "提取申请未获批准"
        body = f"您的{what}{number}未获批准。{explained}"
    else:
        title = "提取申请已转人工审核"
        body = f"您的{what}{number}已转工作人员审核，审核结果将另行通知。{explained}"
    return Notice(MessageKind.WITHDRAWAL_DECIDED, title, body.strip(), link)


def withdrawal_lock_changed(*, locked: bool, unlocks_at: datetime | None = None, link: str = "") -> Notice:
    """The withdrawal lock was turned on (at once) or an unlock was requested (after cooling off)."""
    if locked:
        return Notice(
            MessageKind.WITHDRAWAL_LOCK_CHANGED,
            "已锁定公积金提取",
            "您已锁定公积金提取，锁定期间任何提取申请都不会获批。如非本人操作，请立即修改密码并拨打12329。",
            link,
        )
    when = _day(unlocks_at) if unlocks_at else "冷静期结束后"
    return Notice(
        MessageKind.WITHDRAWAL_LOCK_CHANGED,
        "已申请解除提取锁定",
        f"您已申请解除公积金提取锁定，将于{when}生效，此前提取仍处于锁定状态。"
        "如非本人操作，请立即登录重新锁定并修改密码，或拨打12329。",
        link,
    )
