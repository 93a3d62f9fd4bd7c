"""Seed the working-day calendar from the chinese-calendar package, for every year it knows.

Only days that differ from Monday–Friday are stored: weekday holidays and weekend working days
(调休). A weekend day inside a holiday is off anyway and needs no row.
"""

from datetime import date, timedelta

from django.db import migrations


def seed_calendar(apps, schema_editor):
    from chinese_calendar import constants, get_holiday_detail

    CalendarDay = apps.get_model("core", "CalendarDay")
    CalendarYear = apps.get_model("core", "CalendarYear")
    first_year = min(constants.holidays).year
    last_year = max(constants.holidays).year
    chinese_names = {holiday.value: holiday.chinese for holiday in constants.Holiday}
    days = []
    day, end = date(first_year, 1, 1), date(last_year, 12, 31)
    while day <= end:
        is_holiday, english_name = get_holiday_detail(day)
        is_working = not is_holiday
        if is_working != (day.weekday() < 5):
            chinese = chinese_names.get(english_name, english_name or "")
            name = chinese if not is_working else f"调休上班（{chinese}）" if chinese else "调休上班"
            days.append(CalendarDay(date=day, is_working_day=is_working, name=name, source="package"))
        day += timedelta(days=1)
    CalendarDay.objects.bulk_create(days, batch_size=500)
    CalendarYear.objects.bulk_create(
        CalendarYear(year=year, source="package", complete=True) for year in range(first_year, last_year + 1)
    )


def unseed_calendar(apps, schema_editor):
    apps.get_model("core", "CalendarDay").objects.filter(source="package").delete()
    apps.get_model("core", "CalendarYear").objects.filter(source="package").delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(seed_calendar, unseed_calendar)]
