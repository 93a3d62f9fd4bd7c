"""Create the role groups and the two numbering series; role permissions follow post_migrate."""

from django.db import migrations

ROLES = (
    "employee",
    "employer_preparer",
    "employer_approver",
    "staff_clerk",
    "staff_section_chief",
    "staff_deputy_director",
    "staff_director",
    "staff_auditor",
    "admin",
)
SERIES = ("fund_account", "unit_account")


def create(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    NumberSequence = apps.get_model("accounts", "NumberSequence")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    for name in SERIES:
        NumberSequence.objects.get_or_create(name=name, defaults={"last_value": 0})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_people_employers_fund_accounts"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
