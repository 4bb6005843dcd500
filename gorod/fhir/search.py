"""FHIR search parameters: the query string parsed into database filters, or a 400.

The rule for values: one that can never be valid for its parameter (a malformed date, an
unsupported prefix or modifier, a code outside a closed value set, a reference to the wrong
resource type, `_count=abc`) is refused with 400; a well-formed value that matches nothing
gives an empty Bundle. Unknown parameters are ignored and reported in the Bundle, as FHIR's
default (lenient) handling asks, or refused with `Prefer: handling=strict`.

Repeated parameters are combined with AND (`start=ge…&start=lt…`), comma-separated values
of one parameter with OR (`status=free,busy-tentative`).
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

from django.db.models import Q
from django.utils.translation import gettext as _

from gorod.core.clock import city_zone
from gorod.core.ids import valid_id

DEFAULT_COUNT = 20
MAX_COUNT = 100
# Bounds that keep any query string a small SQL statement: parameters per request,
# comma-separated values per parameter, words of a name search.
MAX_PARAMETERS = 30
MAX_VALUES = 100
MAX_WORDS = 10
# Parameters every search understands besides its own: paging and the answer's form.
PAGING = ("_count", "_offset", "_total")
FORMAT = ("_format", "_pretty")
JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})
NO_MATCH = Q(pk__in=[])


def any_of(queries: Iterable[Q]) -> Q:
    """The OR of `queries`; of none, a filter no row passes."""
    combined = None
    for query in queries:
        combined = query if combined is None else combined | query
    return NO_MATCH if combined is None else combined


def all_of(queries: Iterable[Q]) -> Q:
    combined = Q()
    for query in queries:
        combined &= query
    return combined


class FhirError(Exception):
    """A request FHIR answers with an OperationOutcome: status, issue code, message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        expression: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.expression = expression
        self.headers = headers or {}


def invalid(parameter: str, message: str) -> FhirError:
    return FhirError(400, "invalid", message, expression=parameter)


# eq ne gt lt ge le sa eb; "ap" (approximately) is not supported and refused.
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le", "sa", "eb")
DATE_PREFIX_RE = re.compile(r"^[a-z]{2}\d")
DATE_RE = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


@dataclass(frozen=True)
class DateRange:
    """A search date as the interval its precision covers: [low, high)."""

    prefix: str
    low: datetime
    high: datetime

    def q(self, field_name: str) -> Q:
        """Instants (a slot's start) compared with the interval as FHIR's prefixes say."""
        inside = Q(**{f"{field_name}__gte": self.low, f"{field_name}__lt": self.high})
        return {
            "eq": inside,
            "ne": ~inside,
            "gt": Q(**{f"{field_name}__gte": self.high}),
            "sa": Q(**{f"{field_name}__gte": self.high}),
            "ge": Q(**{f"{field_name}__gte": self.low}),
            "lt": Q(**{f"{field_name}__lt": self.low}),
            "eb": Q(**{f"{field_name}__lt": self.low}),
            "le": Q(**{f"{field_name}__lt": self.high}),
        }[self.prefix]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def parse_date(parameter: str, raw: str) -> DateRange:
    """`ge2026-11-26`, `2026-11`, `lt2026-11-26T10:00:00+03:00`; no zone means Moscow time.

    A "+" of the zone sent unencoded arrives as a space and is read back as "+".
    """
    value = raw.strip().replace(" ", "+")
    prefix = "eq"
    # Two letters before a digit are a prefix; "notadate" is not a date, not a prefix "no".
    if DATE_PREFIX_RE.match(value):
        prefix, value = value[:2], value[2:]
        if prefix not in DATE_PREFIXES:
            raise invalid(
                parameter,
                _("Префикс «%(prefix)s» не поддерживается; допустимы: %(allowed)s.")
                % {"prefix": prefix, "allowed": ", ".join(DATE_PREFIXES)},
            )
    match = DATE_RE.match(value)
    if match is None:
        raise invalid(
            parameter,
            _("«%(value)s» — не дата FHIR (ГГГГ-ММ-ДД[Тчч:мм[:сс]][зона]).") % {"value": raw},
        )
    parts = match.groupdict()
    try:
        zone = _zone(parts["zone"])
        year = int(parts["year"])
        if parts["hour"] is None:
            first = date(year, int(parts["month"] or 1), int(parts["day"] or 1))
            if parts["day"]:
                after = first + timedelta(days=1)
            elif parts["month"]:
                after = _add_months(first, 1)
            else:
                after = date(year + 1, 1, 1)
            low = datetime(first.year, first.month, first.day, tzinfo=zone)
            high = datetime(after.year, after.month, after.day, tzinfo=zone)
        else:
            fraction = parts["fraction"] or ""
            micro = int((fraction + "000000")[:6])
            low = datetime(
                year,
                int(parts["month"]),
                int(parts["day"]),
                int(parts["hour"]),
                int(parts["minute"]),
                int(parts["second"] or 0),
                micro,
                tzinfo=zone,
            )
            if parts["second"] is None:
                step = timedelta(minutes=1)
            elif len(fraction) < 6:
                step = timedelta(microseconds=10 ** (6 - len(fraction)))
            else:
                step = timedelta(microseconds=1)
            high = low + step
        # Both ends must be representable in UTC, where the database compares them.
        low, high = low.astimezone(UTC), high.astimezone(UTC)
    except (ValueError, OverflowError):
        raise invalid(parameter, _("Такой даты нет: «%(value)s».") % {"value": raw}) from None
    return DateRange(prefix, low, high)


def _zone(text: str | None):
    if text is None:
        return city_zone()
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        raise ValueError(text)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


@dataclass(frozen=True)
class Token:
    system: str | None  # None: any system; "": no system
    code: str


def parse_tokens(raw: str) -> list[Token]:
    tokens = []
    for item in raw.split(","):
        if "|" in item:
            system, code = item.split("|", 1)
            tokens.append(Token(system, code))
        else:
            tokens.append(Token(None, item))
    return tokens


def token_codes(
    parameter: str, raw: str, *, system: str, allowed: Iterable[str] | None = None
) -> list[str]:
    """The codes of `raw` in our `system` (a token of another system matches nothing).

    With `allowed` (a closed value set) a code outside it is refused.
    """
    allowed = None if allowed is None else frozenset(allowed)
    codes = []
    for token in parse_tokens(raw):
        if token.system not in (None, system):
            continue
        if allowed is not None and token.code not in allowed:
            raise invalid(
                parameter,
                _("Код «%(code)s» не входит в набор значений; допустимы: %(allowed)s.")
                % {"code": token.code, "allowed": ", ".join(sorted(allowed))},
            )
        codes.append(token.code)
    return codes


NUMERIC_ID_RE = re.compile(r"^[0-9]{1,19}$")
# A FHIR id: [A-Za-z0-9\-\.]{1,64}.
FHIR_ID_RE = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def numeric_id(text: str) -> int | None:
    """Our primary key behind a FHIR id, or None when no row can have it."""
    if not NUMERIC_ID_RE.match(text):
        return None
    number = int(text)
    return number if valid_id(number) else None


@dataclass(frozen=True)
class Reference:
    resource_type: str | None  # None: a bare id, any of the allowed types
    id: str


def parse_references(
    parameter: str, raw: str, *, types: tuple[str, ...], modifier: str | None = None
) -> list[Reference]:
    """`Schedule/12`, `12`, an absolute URL ending in `Schedule/12`, or `12` with `:Schedule`."""
    if modifier is not None and modifier not in types:
        raise unsupported_modifier(parameter, modifier)
    references = []
    for item in raw.split(","):
        parts = item.rstrip("/").split("/")
        if len(parts) == 1:
            resource_type, resource_id = modifier, parts[0]
        elif modifier is None:
            resource_type, resource_id = parts[-2], parts[-1]
        else:
            raise invalid(
                parameter, _("С модификатором :%(type)s нужен только id.") % {"type": modifier}
            )
        if resource_type is not None and resource_type not in types:
            raise invalid(
                parameter,
                _("Параметр %(parameter)s ссылается на %(types)s, а не на %(type)s.")
                % {"parameter": parameter, "types": ", ".join(types), "type": resource_type},
            )
        if not FHIR_ID_RE.match(resource_id):
            raise invalid(parameter, _("«%(id)s» — не id ресурса FHIR.") % {"id": resource_id})
        references.append(Reference(resource_type, resource_id))
    return references


def reference_q(parameter: str, raw: str, fields: dict[str, str], modifier: str | None = None) -> Q:
    """References to numeric ids as a filter; `fields` maps each target type to its column.

    One IN per target type, however many ids: a long OR would outgrow SQLite's expression
    depth."""
    wanted: dict[str, list[int]] = {resource_type: [] for resource_type in fields}
    for reference in parse_references(parameter, raw, types=tuple(fields), modifier=modifier):
        pk = numeric_id(reference.id)
        for resource_type in wanted:
            if pk is not None and reference.resource_type in (None, resource_type):
                wanted[resource_type].append(pk)
    return any_of(
        Q(**{f"{fields[resource_type]}__in": pks}) for resource_type, pks in wanted.items() if pks
    )


def parse_boolean(parameter: str, raw: str) -> bool:
    if raw not in ("true", "false"):
        raise invalid(parameter, _("Ожидается true или false."))
    return raw == "true"


def unsupported_modifier(parameter: str, modifier: str) -> FhirError:
    return invalid(
        parameter,
        _("Модификатор :%(modifier)s параметра %(parameter)s не поддерживается.")
        % {"modifier": modifier, "parameter": parameter},
    )


def string_variants(word: str) -> set[str]:
    """Spellings a case-insensitive match must try on SQLite, whose LIKE folds ASCII only.

    PostgreSQL's UPPER folds Cyrillic itself; the variants make "смирн" find "Смирнова" on
    both databases (stored names are capitalised as people write them).
    """
    return {word, word.lower(), word.capitalize(), word.upper()}


def string_q(parameter: str, raw: str, columns: tuple[str, ...], modifier: str | None) -> Q:
    """FHIR string search: each word starts (`:contains`: occurs in) one of `columns`,
    ignoring case; `:exact` is the whole value, exactly. Comma-separated values are OR'ed."""
    if modifier not in (None, "contains", "exact"):
        raise unsupported_modifier(parameter, modifier)
    if len(raw.split()) + raw.count(",") > MAX_WORDS:
        raise invalid(
            parameter, _("Не больше %(count)d слов в одном параметре.") % {"count": MAX_WORDS}
        )
    alternatives = []
    for value in raw.split(","):
        if modifier == "exact":
            alternatives.append(any_of(Q(**{column: value}) for column in columns))
            continue
        lookup = "icontains" if modifier == "contains" else "istartswith"
        words = value.split()
        if words:
            alternatives.append(
                all_of(
                    any_of(
                        Q(**{f"{column}__{lookup}": variant})
                        for column in columns
                        for variant in sorted(string_variants(word))
                    )
                    for word in words
                )
            )
    return any_of(alternatives)


@dataclass(frozen=True)
class SearchParameter:
    """One search parameter of a resource type, as the CapabilityStatement lists it."""

    name: str
    type: str  # FHIR SearchParamType: token, reference, date, string
    # (parameter name, raw value, modifier) → filter; raises FhirError for a bad value.
    to_q: Callable[[str, str, str | None], Q]
    documentation: str = ""
    # The parameter's standard definition, when it is FHIR's own.
    definition: str | None = None


@dataclass
class SearchRequest:
    filters: list[Q] = field(default_factory=list)
    # What was understood, in order, for the Bundle's self and next links.
    applied: list[tuple[str, str]] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    offset: int = 0
    total: bool = True


def _non_negative(parameter: str, raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
        raise invalid(parameter, _("Ожидается целое число не меньше нуля."))
    return int(raw)


def parse_search(
    query: Iterable[tuple[str, list[str]]],
    parameters: dict[str, SearchParameter],
    *,
    strict: bool = False,
) -> SearchRequest:
    """The query string's (name, values) pairs → filters, paging and what was ignored."""
    request = SearchRequest()
    occurrences = 0
    for key, values in query:
        name, _colon, modifier = key.partition(":")
        values = [value for value in values if value != ""]
        if not values:
            continue
        occurrences += len(values)
        _check_size(key, values, occurrences)
        if name in FORMAT:
            continue
        if name in PAGING:
            if modifier:
                raise unsupported_modifier(name, modifier)
            _paging(request, name, values[-1])
            continue
        parameter = parameters.get(name)
        if parameter is None:
            if strict:
                raise invalid(key, _("Параметр поиска %(name)s не поддерживается.") % {"name": key})
            request.ignored.append(key)
            continue
        for value in values:
            request.filters.append(parameter.to_q(name, value, modifier or None))
            request.applied.append((key, value))
    return request


def _check_size(key: str, values: list[str], occurrences: int) -> None:
    if occurrences > MAX_PARAMETERS:
        raise invalid(
            key, _("Не больше %(count)d параметров в запросе.") % {"count": MAX_PARAMETERS}
        )
    for value in values:
        if "\x00" in value:
            raise invalid(key, _("Значение параметра содержит нулевой символ."))
        if value.count(",") >= MAX_VALUES:
            raise invalid(
                key, _("Не больше %(count)d значений через запятую.") % {"count": MAX_VALUES}
            )


def _paging(request: SearchRequest, name: str, raw: str) -> None:
    if name == "_count":
        request.count = min(_non_negative(name, raw), MAX_COUNT)
    elif name == "_offset":
        request.offset = _non_negative(name, raw)
    else:
        if raw not in ("none", "estimate", "accurate"):
            raise invalid(name, _("Ожидается none, estimate или accurate."))
        request.total = raw != "none"
