"""The daily audit report (每日稽核报告): building a day's figures, and the report as a PDF."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from audit.services import record_event
from core.pdf import ChineseDocument, Column, chinese_date, yuan_text
from inspection.models import AuditReport
from inspection.selectors import daily_figures

TITLE = "每日稽核报告"
SYSTEM = "system:inspection"


def build_daily_report(*, day: date) -> AuditReport:
    """Build (or build again) ``day``'s report; the figures are those true now."""
    figures = daily_figures(day=day)
    with transaction.atomic(durable=True):
        report, created = AuditReport.objects.update_or_create(
            day=day, defaults={"figures": figures, "created_at": timezone.now()}
        )
        finance = figures["finance"]
        record_event(
            actor=None,
            actor_label=SYSTEM,
            action="inspection.report_built",
            target=report,
            summary=f"每日稽核报告 {day.isoformat()} {'生成' if created else '重新生成'}",
            data={
                "day": day.isoformat(),
                "balanced": finance["balanced"],
                "fund_balances_agree": finance["fund_balances_agree"],
                "alerts_raised": figures["alerts"]["raised"],
            },
        )
    return report


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _yes(value: bool) -> str:
    return "是" if value else "否"


def report_pdf(report: AuditReport) -> bytes:
    """The report as an A4 PDF in Chinese, amounts in yuan."""
    figures = report.figures
    finance, network, approval, alerts = (
        figures["finance"],
        figures["network"],
        figures["approval"],
        figures["alerts"],
    )
    document = ChineseDocument(title=TITLE, footer_note=report.day.isoformat())
    document.title_block(
        TITLE,
        subtitle=f"{chinese_date(report.day)} · 生成于 {_local(report.created_at)}",
    )
    document.section("一、财务稽核")
    document.fields(
        [
            ("借方合计", yuan_text(finance["debit_total"])),
            ("贷方合计", yuan_text(finance["credit_total"])),
            ("借贷平衡", _yes(finance["balanced"])),
            ("当日借方", yuan_text(finance["day_debit"])),
            ("当日贷方", yuan_text(finance["day_credit"])),
            ("个人账户余额合计", yuan_text(finance["fund_balance_cached"])),
            ("按分录计个人账户", yuan_text(finance["fund_balance_journal"])),
            ("余额与分录一致", _yes(finance["fund_balances_agree"])),
            ("当日缴存入账", f"{finance['deposits_posted']} 笔 · {yuan_text(finance['deposits_amount'])}"),
        ],
        label_width=48,
    )
    payouts = finance["payouts"]
    document.table(
        [Column("付款", 60), Column("笔数", 40, "R"), Column("金额", 74, "R")],
        [
            [label, str(payouts[key]["count"]), yuan_text(payouts[key]["amount"])]
            for key, label in (
                ("created", "新建"),
                ("sent", "已发送"),
                ("paid", "已到账"),
                ("failed", "失败"),
            )
        ],
    )
    document.section("二、网络信息稽核")
    document.fields(
        [
            ("登录次数", str(network["logins"])),
            ("登录失败", str(network["failed_logins"])),
            ("账户锁定", str(network["lockouts"])),
            ("审计事件", str(network["events"])),
            ("接口调用事件", f"{network['api_events']} (用户 {network['api_users']})"),
            ("个人信息查看明文", str(network["unmask_accesses"])),
        ],
        label_width=48,
    )
    if network["events_by_channel"]:
        document.table(
            [Column("渠道", 100), Column("事件数", 74, "R")],
            [[channel, str(count)] for channel, count in network["events_by_channel"].items()],
        )
    document.section("三、业务审批稽核")
    document.fields(
        [
            ("自动批准", str(approval["auto_approved"])),
            ("转人工审核", str(approval["referred"])),
            ("自动拒绝", str(approval["auto_rejected"])),
            ("人工决定", str(approval["staff_decisions"])),
            ("人工批准 / 拒绝", f"{approval['staff_approved']} / {approval['staff_rejected']}"),
            ("非工作时间决定", str(approval["outside_working_hours"])),
            ("推翻规则结论", str(approval["overrides"])),
        ],
        label_width=48,
    )
    document.section("四、稽核预警")
    document.fields(
        [
            ("新产生", str(alerts["raised"])),
            ("已确认", str(alerts["acknowledged"])),
            ("已关闭", str(alerts["closed"])),
            ("日终未关闭", str(alerts["live_at_end"])),
        ],
        label_width=48,
    )
    rules = sorted(
        set(alerts["raised_by_rule"]) | set(alerts["closed_by_rule"]) | set(alerts["acknowledged_by_rule"])
    )
    if rules:
        document.table(
            [
                Column("规则", 80),
                Column("新产生", 30, "R"),
                Column("已确认", 32, "R"),
                Column("已关闭", 32, "R"),
            ],
            [
                [
                    rule,
                    str(alerts["raised_by_rule"].get(rule, 0)),
                    str(alerts["acknowledged_by_rule"].get(rule, 0)),
                    str(alerts["closed_by_rule"].get(rule, 0)),
                ]
                for rule in rules
            ],
        )
    return document.render()
