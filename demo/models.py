"""Which demo person plays which persona: read by the government-data sandbox to fit its answers."""

from django.db import models


class Persona(models.TextChoices):
    RENTER = "renter", "租房提取"
    SPOUSE_OWNS_HOME = "spouse_owns_home", "配偶有房"
    RETIREE = "retiree", "退休"
    LEAVER_SEALED_7_MONTHS = "leaver_sealed_7_months", "离职离厦(封存7个月)"
    LEAVER_SEALED_3_MONTHS = "leaver_sealed_3_months", "离职离厦(封存3个月)"
    LOCAL_LEAVER_SEALED_7_MONTHS = "local_leaver_sealed_7_months", "本市户籍离职(封存7个月)"
    BUYER = "buyer", "本市购房"
    LOAN_REPAYER = "loan_repayer", "偿还公积金贷款"
    OVERDUE_BORROWER = "overdue_borrower", "征信逾期"


class DemoPersona(models.Model):
    """A demo person and the case their (sandbox) data make true; one persona per person."""

    person = models.OneToOneField("accounts.Person", on_delete=models.PROTECT, related_name="demo_persona")
    persona = models.CharField(max_length=40, choices=Persona.choices, db_index=True)

    class Meta:
        verbose_name = "演示角色 demo persona"

    def __str__(self):
        return f"{self.persona} person #{self.person_id} (#{self.pk})"
