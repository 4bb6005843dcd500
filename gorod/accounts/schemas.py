from datetime import date

from ninja import Schema


class ChildOut(Schema):
    id: int
    full_name: str
    birth_date: date
    relation: str
    verified: bool


class PersonOut(Schema):
    id: int
    last_name: str
    first_name: str
    middle_name: str
    full_name: str
    birth_date: date
    oms_policy: str | None
    snils: str | None


class MeOut(Schema):
    id: int
    email: str | None
    phone: str | None
    is_staff: bool
    roles: list[str]
    person: PersonOut | None
    children: list[ChildOut]
