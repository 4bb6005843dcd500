"""What every importer does the same way: know the file, read a CSV, check a text or a
coordinate, look up in chunks, name the bad rows.

Each domain's importer parses its own columns; the file handling, the header check and
the errors a broken file gets are one here, so every `gorod import` answers alike.
"""

import codecs
import csv
import hashlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from gorod.core.errors import DomainError

# The source the city's open-data terms ask every use of its registers to name.
DATA_MOS_RU = "Портал открытых данных Правительства Москвы, data.mos.ru"

# Stored rows are looked up this many keys at a time (SQLite's bound-parameter limit).
LOOKUP_CHUNK = 500
COORDINATE_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class RowProblem:
    """Why a line of an imported file was refused; `line` is the file's, for the editor."""

    line: int
    message: str


def file_facts(path: Path) -> tuple[str, int]:
    """SHA-256 and line count of a file, checking on the way that it is UTF-8 text, so
    that a file that cannot be read is refused before anything is imported."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    lines = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        raise DomainError("file_not_utf8", _("Файл должен быть в кодировке UTF-8.")) from error
    return digest.hexdigest(), lines


def _records(reader: csv.DictReader) -> Iterable[tuple[int, Mapping]]:
    for raw in reader:
        # The line where the record ends: a quoted field may span lines.
        yield reader.line_num, raw


def read_csv(
    path: Path, *, columns: tuple[str, ...], parse_rows: Callable, progress: Progress | None = None
):
    """`parse_rows` over the (line number, record) pairs of a UTF-8 CSV with these columns."""
    opener = progress.open if progress is not None else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = [name.strip() for name in reader.fieldnames or []]
            missing = [column for column in columns if column not in header]
            if missing:
                raise DomainError(
                    "registry_header_invalid",
                    _("В первой строке файла нет столбцов: %(columns)s. Нужны: %(all)s")
                    % {"columns": ", ".join(missing), "all": ",".join(columns)},
                )
            reader.fieldnames = header
            return parse_rows(_records(reader))
    except csv.Error as error:
        raise DomainError(
            "registry_csv_invalid", _("Файл не читается как CSV: %s") % error
        ) from error
    except UnicodeDecodeError as error:
        raise DomainError("file_not_utf8", _("Файл должен быть в кодировке UTF-8.")) from error


def text_field(
    row: Mapping[str, str], column: str, errors: list[str], *, limit: int, required=True
) -> str:
    """A column's text, with a problem noted if it is empty (when required) or too long."""
    text = row[column]
    if required and not text:
        errors.append(_("%(column)s: не заполнено") % {"column": column})
    elif len(text) > limit:
        errors.append(
            _("%(column)s: длиннее %(limit)d знаков") % {"column": column, "limit": limit}
        )
    return text


def coordinate_field(
    row: Mapping[str, str], column: str, errors: list[str], *, bound: int
) -> Decimal | None:
    """A WGS84 degree (latitude bound 90, longitude 180) or None when the column is empty,
    with a problem noted if it is no number within the bound."""
    text = row[column]
    if not text:
        return None
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not -bound <= value <= bound:
        errors.append(
            _(
                "%(column)s: нужно число от -%(bound)d до %(bound)d (градусы WGS84), "
                "а не «%(value)s»"
            )
            % {"column": column, "bound": bound, "value": text}
        )
        return None
    # Six places are about ten centimetres: rounding a longer export changes no building.
    return value.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_EVEN)


def unique_rows(
    records: Iterable[tuple[int, Mapping]],
    parse_row: Callable[[Mapping, int], object],
    *,
    key: Callable[[object], object],
    repeated: Callable[[object, int], str],
) -> tuple[list, list[RowProblem]]:
    """Check every row: `parse_row(raw, line)` gives the row or its list of problems; a row
    whose `key` an earlier line already had is a problem on the later line, in the words of
    `repeated(row, first_line)`."""
    rows: list = []
    problems: list[RowProblem] = []
    seen: dict[object, int] = {}
    for line, raw in records:
        parsed = parse_row(raw, line)
        if isinstance(parsed, list):
            problems.append(RowProblem(line, "; ".join(str(reason) for reason in parsed)))
            continue
        first = seen.setdefault(key(parsed), line)
        if first != line:
            problems.append(RowProblem(line, repeated(parsed, first)))
            continue
        rows.append(parsed)
    return rows, problems


def chunks(items: list, size: int = LOOKUP_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# How many bad lines an import prints before it says how many more there are.
SHOW_PROBLEMS = 50


def problems_print(path: Path, problems: list[RowProblem], *, stdout, style) -> None:
    """Every bad line (the first SHOW_PROBLEMS of them) and that nothing was imported."""
    for problem in problems[:SHOW_PROBLEMS]:
        stdout.write(style.ERROR(f"{path}:{problem.line}: {problem.message}"))
    if len(problems) > SHOW_PROBLEMS:
        stdout.write(
            style.ERROR(
                _("… и ещё %(count)d строк с ошибками") % {"count": len(problems) - SHOW_PROBLEMS}
            )
        )
    stdout.write(
        style.ERROR(
            _("Ничего не загружено: строк с ошибками — %(count)d.") % {"count": len(problems)}
        )
    )


@contextmanager
def progress_shown(stdout) -> Iterator[Progress]:
    """A progress bar on a command's output, gone when the work is done."""
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TaskProgressColumn(),
    )
    with Progress(*columns, console=Console(file=stdout, highlight=False), transient=True) as bar:
        yield bar
