"""Test helpers shared by the benefits tests and the web tests of the claim screens."""

from __future__ import annotations

from typing import Any


def as_person(user: Any, unit: Any) -> Any:
    """Link a login to a person of its own (no household), as the committee does under
    "ผู้ใช้กับบุคคล" before deciding claims. Idempotent."""
    from chumchon.people.models import Person, UserPerson

    link = UserPerson.objects.filter(user=user).first()
    if link is not None:
        return user
    person = Person.objects.create(
        org_unit=unit,
        title="นาย",
        first_name=f"กรรมการ{user.username}",
        last_name="ผู้พิจารณา",
    )
    UserPerson.objects.create(user=user, person=person)
    return user
