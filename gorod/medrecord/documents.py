"""Signed PDFs of the medical record: a certificate (справка) and the whole record printed.

Layout by fpdf2 with Roboto (the font_roboto package: Cyrillic without system fonts), then a
PAdES signature by pyHanko, so anyone can check with a PDF reader that the document came
from the clinic and was not changed. The signer is the clinic's PKCS#12 key
(settings.GOROD_HEALTH_SIGNING_KEY / _PASSWORD). Without one, a self-signed demo key is made
once and kept in the data directory (readable by its owner only); its name says it is not a
qualified signature. Production refuses to sign without a configured key.
"""

import io
import os
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import formats, translation
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from gorod.clinics.models import Attachment
from gorod.core.clock import local_now
from gorod.core.pdf import Document
from gorod.medrecord.models.record import Certificate, Entry, Section
from gorod.medrecord.selectors.record import VISIBLE

# The demo signer's name: "gorod demo — не квалифицированная подпись" (a CN holds 64 bytes).
DEMO_NAME = "gorod demo"
DEMO_NOTE = "не квалифицированная подпись"
DEMO_KEY_FILE = "health_signing_demo.p12"
# Specialties whose finalised visit is the basis of a certificate's conclusion.
BASIS_SPECIALTIES = ("therapist", "pediatrician")
# What the certificate of each kind concludes when a doctor's examination is on record.
CONCLUSIONS = {
    Certificate.Kind.POOL: "противопоказаний к посещению бассейна не выявлено",
    Certificate.Kind.SPORT: (
        "противопоказаний к занятиям физической культурой и спортом не выявлено"
    ),
    Certificate.Kind.CAMP: "противопоказаний к пребыванию в детском лагере не выявлено",
    Certificate.Kind.SCHOOL: (
        "противопоказаний к обучению в общеобразовательной организации не выявлено"
    ),
    Certificate.Kind.HEALTH: "острых заболеваний на дату последнего осмотра не выявлено",
}


def _demo_pkcs12() -> bytes:
    """A self-signed key and certificate for demos and tests, made once per data directory."""
    path = Path(settings.VAR_DIR) / DEMO_KEY_FILE
    if path.exists():
        return path.read_bytes()
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_NAME),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, DEMO_NOTE),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"gorod-demo", key, certificate, None, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: two processes starting at once never read half a file.
    # The key has no password, so only the portal's own user may read it (0600, also under
    # a permissive umask).
    partial = path.with_suffix(f".{os.getpid()}.{id(data)}.tmp")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    partial.replace(path)
    return path.read_bytes()


@lru_cache(maxsize=1)
def _signer_for(key_path: str, password: str) -> signers.SimpleSigner:
    if key_path:
        data = Path(key_path).read_bytes()
        passphrase = password.encode() if password else None
    elif settings.PRODUCTION:
        # The system check gorod.E001 stops `gorod serve`; this guards a process started
        # without checks: a production certificate is never signed by a demo key.
        raise ImproperlyConfigured("GOROD_HEALTH_SIGNING_KEY must be set when GOROD_ENV=production")
    else:
        data, passphrase = _demo_pkcs12(), None
    return signers.SimpleSigner.load_pkcs12_data(data, other_certs=(), passphrase=passphrase)


def signer() -> signers.SimpleSigner:
    return _signer_for(settings.GOROD_HEALTH_SIGNING_KEY, settings.GOROD_HEALTH_SIGNING_PASSWORD)


def sign(pdf: bytes, *, reason: str) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Signature", reason=reason, location="gorod")
    return signers.sign_pdf(writer, meta, signer=signer()).getvalue()


def _day(value) -> str:
    return formats.date_format(value, "d.m.Y")


def _clinic_name(entry: Entry) -> str:
    if entry.organisation_id:
        return entry.organisation.name
    attached = (
        Attachment.objects.filter(person_id=entry.patient_id, until__isnull=True)
        .select_related("organisation")
        .first()
    )
    return attached.organisation.name if attached else _("Медицинская организация")


def _basis(entry: Entry) -> Entry | None:
    """The latest finalised visit of a therapist or a paediatrician: what the doctor found."""
    return (
        Entry.objects.filter(
            VISIBLE,
            patient_id=entry.patient_id,
            section=Section.ENCOUNTERS,
            finalised_at__isnull=False,
            specialty__code__in=BASIS_SPECIALTIES,
        )
        .select_related("practitioner", "specialty")
        .order_by("-occurred_at", "-id")
        .first()
    )


def certificate_pdf(entry: Entry) -> bytes:
    """The certificate as a signed one-page PDF (Russian: a document of the Russian clinic)."""
    with translation.override("ru"):
        return _certificate_pdf(entry)


def _certificate_pdf(entry: Entry) -> bytes:
    certificate = Certificate.objects.select_related("entry__patient", "entry__organisation").get(
        entry_id=entry.pk
    )
    entry = certificate.entry
    person = entry.patient
    today = local_now().date()
    pdf = Document(_("Справка № %(number)s") % {"number": certificate.number})
    pdf.line_of(_clinic_name(entry), size=12, bold=True, gap=6)
    pdf.line_of(
        _("МЕДИЦИНСКАЯ СПРАВКА № %(number)s") % {"number": certificate.number}, size=14, bold=True
    )
    pdf.line_of(_("от %(day)s") % {"day": _day(today)}, gap=5)
    pdf.line_of(
        _("Выдана: %(name)s, дата рождения %(birth)s")
        % {"name": person.full_name, "birth": _day(person.birth_date)}
    )
    pdf.line_of(_("Вид справки: %(kind)s") % {"kind": certificate.get_kind_display()})
    if certificate.purpose:
        pdf.line_of(_("Для предъявления: %(purpose)s") % {"purpose": certificate.purpose})
    pdf.ln(4)
    basis = _basis(entry)
    if basis is None:
        pdf.line_of(
            _(
                "По данным медицинской карты осмотров терапевта или педиатра нет: "
                "заключение может дать врач на приёме."
            )
        )
    else:
        doctor = basis.practitioner.full_name if basis.practitioner_id else ""
        pdf.line_of(
            _("Основание: осмотр %(day)s, %(specialty)s %(doctor)s.")
            % {
                "day": _day(basis.occurred_at.astimezone(local_now().tzinfo).date()),
                "specialty": basis.specialty.name.lower(),
                "doctor": doctor,
            }
        )
        pdf.line_of(
            _("Заключение: по данным медицинской карты %(conclusion)s.")
            % {"conclusion": CONCLUSIONS[certificate.kind]}
        )
    pdf.ln(8)
    pdf.line_of(_("Документ подписан электронной подписью медицинской организации."), size=9)
    return sign(bytes(pdf.output()), reason=_("Медицинская справка"))


def record_pdf(access) -> bytes:
    """The whole record the access covers, section by section, as a signed PDF."""
    with translation.override("ru"):
        return _record_pdf(access)


def _record_pdf(access) -> bytes:
    person = access.patient
    pdf = Document(_("Медицинская карта: %(name)s") % {"name": person.full_name})
    pdf.line_of(_("Выписка из медицинской карты"), size=14, bold=True)
    pdf.line_of(
        _("%(name)s, дата рождения %(birth)s")
        % {"name": person.full_name, "birth": _day(person.birth_date)},
        bold=True,
    )
    pdf.line_of(_("Сформирована %(day)s") % {"day": _day(local_now().date())}, size=9, gap=4)
    zone = local_now().tzinfo
    entries = (
        Entry.objects.filter(VISIBLE, patient=person)
        .select_related("practitioner", "organisation")
        .order_by("-occurred_at", "-id")
    )
    by_section: dict[str, list[Entry]] = {}
    for entry in entries:
        by_section.setdefault(entry.section, []).append(entry)
    for section in Section:
        if section == Section.DIARY or not access.allows(section) or section not in by_section:
            continue
        pdf.line_of(str(section.label), size=12, bold=True)
        rows = [(_("Дата"), _("Запись карты"), _("Кратко"), _("Врач, организация"))]
        for entry in by_section[section]:
            who = ", ".join(
                part
                for part in (
                    entry.practitioner.full_name if entry.practitioner_id else "",
                    entry.organisation.name if entry.organisation_id else "",
                )
                if part
            )
            rows.append(
                (
                    _day(entry.occurred_at.astimezone(zone).date()),
                    entry.title,
                    entry.summary,
                    who,
                )
            )
        pdf.table(rows, (22, 50, 60, 44))
    if access.allows(Section.DIARY):
        readings = list(person.diary.order_by("-measured_at", "-id")[:200])
        if readings:
            pdf.line_of(str(Section.DIARY.label), size=12, bold=True)
            rows = [(_("Дата"), _("Показатель"), _("Значение"))]
            for reading in readings:
                value = (
                    f"{reading.value.normalize()}/{reading.value_low.normalize()}"
                    if reading.value_low is not None
                    else f"{reading.value.normalize()}"
                )
                rows.append(
                    (
                        _day(reading.measured_at.astimezone(zone).date()),
                        reading.get_kind_display(),
                        value,
                    )
                )
            pdf.table(rows, (30, 60, 86))
    return sign(bytes(pdf.output()), reason=_("Выписка из медицинской карты"))


def certificate_filename(entry: Entry) -> str:
    """ "spravka-<number>.pdf", the number reduced to what every file system accepts."""
    number = re.sub(r"[^0-9A-Za-z-]+", "-", entry.certificate.number).strip("-")
    return f"spravka-{number}.pdf"
