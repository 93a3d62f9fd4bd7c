"""The password rule Django's validators do not cover: an employee's password must not contain
their ID number or date of birth, the first things someone who knows them would try."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def _birth_date_forms(birth_date) -> set[str]:
    return {
        birth_date.strftime("%Y%m%d"),
        birth_date.strftime("%Y-%m-%d"),
        birth_date.strftime("%Y.%m.%d"),
        birth_date.strftime("%Y/%m/%d"),
        birth_date.strftime("%d%m%Y"),
    }


class PersonalDataValidator:
    """For a user linked to a person: no ID number (nor its 8-digit birth date) in the password."""

    def validate(self, password, user=None):
        person = getattr(user, "person", None) if user is not None else None
        if person is None:
            return
        folded = (password or "").casefold()
        id_number = (person.id_number or "").casefold()
        # The whole number, or its last six characters (a favourite of bank-card PINs).
        if id_number and (id_number in folded or id_number[-6:] in folded):
            raise ValidationError(
                _("Your password must not contain your ID number or part of it."),
                code="password_has_id_number",
            )
        if person.birth_date and any(form in folded for form in _birth_date_forms(person.birth_date)):
            raise ValidationError(
                _("Your password must not contain your date of birth."), code="password_has_birth_date"
            )

    def get_help_text(self):
        return _("Your password must not contain your ID number or your date of birth.")
