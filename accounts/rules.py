"""The object permissions: who may read which record (loaded by ``rules``' autodiscovery).

Each permission answers for one record: ``user.has_perm("accounts.view_fundaccount", account)``.
A person sees only their own records, an employer operator only its own unit's (its staff,
their accounts, its deposit lists), the centre's staff every record. Views that load a record
by id ask these and answer 404 on a refusal, exactly as for an id that does not exist, so an id
reveals nothing (docs/AUTHORIZATION.md).
"""

import rules

from accounts.predicates import (
    at_own_unit,
    employs_person,
    is_employer_operator,
    is_loan_account_party,
    is_loan_party,
    is_staff_role,
    owns_account,
    owns_application,
    owns_person,
)

#: The permissions defined here, by name (the authorisation document lists them).
OBJECT_PERMISSIONS = {
    "accounts.view_person": owns_person | (is_employer_operator & employs_person) | is_staff_role,
    "accounts.view_fundaccount": owns_account | (is_employer_operator & at_own_unit) | is_staff_role,
    "withdrawals.view_application": owns_application | is_staff_role,
    "deposits.view_depositlist": (is_employer_operator & at_own_unit) | is_staff_role,
    "deposits.view_depositcertificate": owns_account | is_staff_role,
    "loans.view_loanapplication": is_loan_party | is_staff_role,
    "loans.view_loanaccount": is_loan_account_party | is_staff_role,
    "transfers.view_incomingtransfer": owns_account | is_staff_role,
    "transfers.view_outgoingtransfer": owns_account | is_staff_role,
    "appointments.view_booking": owns_account | is_staff_role,
    # A message is for its reader alone: staff read the hotline's record of it, not the inbox.
    "notifications.view_message": owns_account,
}

for _name, _predicate in OBJECT_PERMISSIONS.items():
    rules.set_perm(_name, _predicate)
