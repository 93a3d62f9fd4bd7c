"""Which demo person plays which persona: read by the government-data sandbox to fit its answers."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class Persona(models.TextChoices):
    RENTER = "renter", _("Rent withdrawal")
    SPOUSE_OWNS_HOME = "spouse_owns_home", _("Spouse owns a home")
    RETIREE = "retiree", _("Retired")
    LEAVER_SEALED_7_MONTHS = "leaver_sealed_7_months", _("Left the city, sealed for 7 months")
    LEAVER_SEALED_3_MONTHS = "leaver_sealed_3_months", _("Left the city, sealed for 3 months")
    LOCAL_LEAVER_SEALED_7_MONTHS = (
        "local_leaver_sealed_7_months",
        _("Local hukou, left the job, sealed for 7 months"),
    )
    BUYER = "buyer", _("Buying a home in the city")
    LOAN_REPAYER = "loan_repayer", _("Repaying a provident fund loan")
    OVERDUE_BORROWER = "overdue_borrower", _("Overdue in the credit record")
    # A married couple buying their first home together: the buyer applies naming the spouse as
    # co-borrower, the spouse confirms from their own login. Last, so the city's earlier draws stay.
    COUPLE_BUYER = (
        "couple_buyer",
        format_lazy("{} · {}", _("Buying a home in the city"), _("with a co-borrower")),
    )
    COUPLE_SPOUSE = "couple_spouse", format_lazy("{} · {}", _("Spouse"), _("co-borrower"))


class DemoPersona(models.Model):
    """A demo person and the case their (sandbox) data make true; one persona per person."""

    person = models.OneToOneField(
        "accounts.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="demo_persona"
    )
    persona = models.CharField(_("persona"), max_length=40, choices=Persona.choices, db_index=True)

    class Meta:
        verbose_name = _("demo persona")
        verbose_name_plural = _("demo personas")

    def __str__(self):
        return f"{self.persona} person #{self.person_id} (#{self.pk})"
