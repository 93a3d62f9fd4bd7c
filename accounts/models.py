"""People and organisations: users and roles, Person 职工, Employer 单位, FundAccount 个人账户."""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A login: an employee, an employer operator or a member of the centre's staff.

    Roles are Django groups (see ``accounts.roles``); an employee logs in with the ID number
    of the ``Person`` linked to this user.
    """

    def __str__(self):
        return f"{self.username} (#{self.pk})"
