"""The record's hot path as SQL built once: the reader's facts (selectors.access), the
person switch, a page of entries, and the INSERT of each look's access-log row.

The timeline is the most opened page of the portal, and the ORM spent longer compiling its
querysets than the database spent answering them. Here each statement's text is built once
per process from the models' own tables and columns, run through `connection.cursor()`
with parameters (prepared by PostgreSQL from its second run), and its rows become model
instances through the same converters the ORM applies, so a page reads like a queryset's:
`entry.organisation.name` is loaded, never a further query. Portable to SQLite and
PostgreSQL. The rules of what is shown stay in `selectors.record` (`_visible_where` there is
`record.VISIBLE` written out; test_record_sql checks both read the same).
"""

import json
from dataclasses import dataclass
from datetime import date
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model
from django.db.models.base import ModelState

from gorod.accounts.models import Delegation, Guardianship, Person
from gorod.clinics.models import Organisation, Practitioner, Specialty
from gorod.medrecord.models.record import Entry

# The related rows a listed entry shows: (relation, model, columns read).
ENTRY_RELATED = (
    ("organisation", Organisation, ("id", "name")),
    ("specialty", Specialty, ("id", "code", "name", "name_en")),
    ("practitioner", Practitioner, ("id", "last_name", "first_name", "middle_name")),
)


@dataclass(frozen=True)
class _Shape:
    """How one model's part of a row is read: its attnames and their converters."""

    model: type[Model]
    attnames: tuple[str, ...]
    columns: tuple[str, ...]

    def converters(self, db) -> list[tuple[int, list]]:
        """(position, converters) of the columns that need converting on this database."""
        return _converters(self, db.vendor)

    def instance(self, values, start: int, converted: list, db) -> Model:
        part = list(values[start : start + len(self.attnames)])
        for position, functions in converted:
            for function in functions:
                part[position] = function(part[position], None, db)
        # What `Model.from_db` makes, without `__init__`'s per-field loop and its init
        # signals (none of these models has a receiver): a field not read is deferred.
        instance = self.model.__new__(self.model)
        instance.__dict__.update(zip(self.attnames, part, strict=True))
        state = instance._state = ModelState()
        state.adding, state.db = False, db.alias
        return instance


@cache
def _converters(shape: _Shape, vendor: str) -> list[tuple[int, list]]:
    # The ORM's own: the backend's (SQLite's text dates and 0/1 booleans) and the field's.
    fields = [shape.model._meta.get_field(name) for name in shape.attnames]
    found = []
    for position, field in enumerate(fields):
        column = field.get_col(shape.model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((position, functions))
    return found


@cache
def _shape(model: type[Model], names: tuple[str, ...] | None = None) -> _Shape:
    fields = (
        model._meta.concrete_fields if names is None else [model._meta.get_field(n) for n in names]
    )
    return _Shape(model, tuple(f.attname for f in fields), tuple(f.column for f in fields))


@cache
def _entry_shapes() -> tuple[_Shape, tuple[_Shape, ...]]:
    return _shape(Entry), tuple(_shape(model, names) for _, model, names in ENTRY_RELATED)


@cache
def _entries_select() -> str:
    """SELECT … FROM health_entry e LEFT JOIN each related table: built once."""
    entry, related = _entry_shapes()
    columns = [f"e.{column}" for column in entry.columns]
    joins = []
    for index, ((relation, model, _names), shape) in enumerate(
        zip(ENTRY_RELATED, related, strict=True)
    ):
        alias = f"r{index}"
        columns += [f"{alias}.{column}" for column in shape.columns]
        foreign_key = Entry._meta.get_field(relation).column
        joins.append(f"LEFT JOIN {model._meta.db_table} {alias} ON {alias}.id = e.{foreign_key}")
    table = Entry._meta.db_table
    return f"SELECT {', '.join(columns)} FROM {table} e {' '.join(joins)}"  # noqa: S608


def entries_page(where: list[str], params: list, limit: int) -> list[Entry]:
    """Entries matching `where` (SQL on alias `e`, with %s parameters), newest first, with
    their organisation, specialty and practitioner: one statement."""
    sql = (
        f"{_entries_select()} WHERE {' AND '.join(where)}"
        " ORDER BY e.occurred_at DESC, e.id DESC LIMIT %s"
    )
    entry_shape, related_shapes = _entry_shapes()
    db = connections[DEFAULT_DB_ALIAS]  # once: each `connection.x` is a lookup
    entry_converters = entry_shape.converters(db)
    related_converters = [shape.converters(db) for shape in related_shapes]
    relations = [Entry._meta.get_field(relation) for relation, _m, _n in ENTRY_RELATED]
    with db.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        rows = cursor.fetchall()
    entries = []
    for row in rows:
        entry = entry_shape.instance(row, 0, entry_converters, db)
        start = len(entry_shape.attnames)
        for field, shape, converters in zip(
            relations, related_shapes, related_converters, strict=True
        ):
            related = None if row[start] is None else shape.instance(row, start, converters, db)
            field.set_cached_value(entry, related)
            start += len(shape.attnames)
        entries.append(entry)
    return entries


# Me, the children I am a guardian of and the principals whose live delegation I hold, in
# one statement; the age and scope checks are Python's (selectors.record.record_people).
PERSON_COLUMNS = ("id", "user_id", "last_name", "first_name", "middle_name", "birth_date")


@cache
def _switch_sql() -> str:
    person = Person._meta.db_table
    columns = ", ".join(f"p.{column}" for column in PERSON_COLUMNS)
    guardianship = Guardianship._meta.db_table
    delegation = Delegation._meta.db_table
    # The delegations first: PostgreSQL takes a UNION's column types from its first SELECT.
    return f"""
SELECT 2 AS kind, d.requested_at AS requested_at, d.id AS link, d.scopes AS scopes, {columns}
FROM {delegation} d
JOIN {person} me ON me.id = d.delegate_id
JOIN {person} p ON p.id = d.principal_id
WHERE me.user_id = %(actor)s AND d.confirmed_at IS NOT NULL AND d.revoked_at IS NULL
  AND (d.valid_until IS NULL OR d.valid_until >= %(today)s)
UNION ALL
SELECT 0, NULL, p.id, NULL, {columns}
FROM {person} p WHERE p.user_id = %(actor)s
UNION ALL
SELECT 1, NULL, g.id, NULL, {columns}
FROM {guardianship} g
JOIN {person} me ON me.id = g.guardian_id
JOIN {person} p ON p.id = g.child_id
WHERE me.user_id = %(actor)s
ORDER BY 1, 2 DESC, 3
"""  # noqa: S608 (table and column names are the models' own)


SWITCH_KINDS = ("self", "guardian", "delegate")


@dataclass(frozen=True)
class SwitchRow:
    person: Person
    relation: str  # "self", "guardian" or "delegate"
    scopes: frozenset[str]


def switch_rows(actor_id: int, today: date) -> list[SwitchRow]:
    """The reader's own person, wards (by guardianship) and live delegations' principals
    (newest delegation first, `Delegation.Meta.ordering`), in that order."""
    shape = _shape(Person, PERSON_COLUMNS)
    db = connections[DEFAULT_DB_ALIAS]
    converters = shape.converters(db)
    with db.cursor() as cursor:
        cursor.execute(
            _switch_sql(),
            {"actor": actor_id, "today": db.ops.adapt_datefield_value(today)},
        )
        rows = cursor.fetchall()
    found = []
    for kind, _requested_at, _link, scopes, *values in rows:
        if isinstance(scopes, str):  # SQLite answers JSON as text
            scopes = json.loads(scopes)
        found.append(
            SwitchRow(
                shape.instance(values, 0, converters, db),
                SWITCH_KINDS[kind],
                frozenset(scopes or ()),
            )
        )
    return found


@cache
def _with_person_columns(sql: str) -> str:
    columns = ", ".join(f"p.{column}" for column in _shape(Person).columns)
    return sql.replace("{person_columns}", columns)


def annotated_person(sql: str, params: dict) -> Person | None:
    """The person row `sql` finds: `{person_columns}` of `accounts_person p` first, then
    further columns, set on the person as attributes as they come (like `raw()` does)."""
    shape = _shape(Person)
    db = connections[DEFAULT_DB_ALIAS]
    with db.cursor() as cursor:
        cursor.execute(_with_person_columns(sql), params)
        row = cursor.fetchone()
        names = [column[0] for column in cursor.description[len(shape.attnames) :]]
    if row is None:
        return None
    person = shape.instance(row, 0, shape.converters(db), db)
    for name, value in zip(names, row[len(shape.attnames) :], strict=True):
        setattr(person, name, value)
    return person


@cache
def _insert_sql(model: type[Model], vendor: str, returning: bool) -> tuple[str, tuple]:
    quote = connection.ops.quote_name
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"
    return sql, fields


def insert(instance: Model) -> None:
    """`instance.save()` of a new row, with the INSERT built once per process: the values
    are what `save()` writes (each field's `pre_save` and database preparation). Only for
    a model without its own `save()` and without signal receivers, like the access log."""
    db = connections[DEFAULT_DB_ALIAS]
    returning = db.features.can_return_columns_from_insert
    sql, fields = _insert_sql(type(instance), db.vendor, returning)
    values = [field.get_db_prep_save(field.pre_save(instance, True), db) for field in fields]
    with db.cursor() as cursor:
        cursor.execute(sql, values)
        instance.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    instance._state.adding, instance._state.db = False, db.alias
