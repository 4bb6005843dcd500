"""Signed PDFs: they parse, the signature holds against the signing certificate, the text
is the patient's."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader

from gorod.medrecord import documents
from gorod.medrecord.models.record import Certificate
from gorod.medrecord.selectors.access import record_open
from gorod.medrecord.tests.factories import (
    certificate_entry,
    diary_reading,
    encounter_entry,
    lab_entry,
)

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def _assert_signed(pdf: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    trusted = documents.signer().signing_cert
    status = validate_pdf_signature(
        signature, ValidationContext(trust_roots=[trusted], allow_fetching=False)
    )
    assert status.intact
    assert status.valid
    assert status.trusted
    subject = status.signing_cert.subject.native
    assert subject["common_name"] == documents.DEMO_NAME
    assert subject["organizational_unit_name"] == documents.DEMO_NOTE


def test_certificate_pdf_is_signed_and_names_the_patient(clinic):
    encounter_entry(clinic.patient, role=clinic.therapist)
    entry = certificate_entry(clinic.patient, kind=Certificate.Kind.POOL, purpose="Бассейн «Волна»")
    pdf = documents.certificate_pdf(entry)
    _assert_signed(pdf)
    text = _text(pdf)
    assert clinic.patient.last_name in text
    assert entry.certificate.number in text
    assert "противопоказаний к посещению бассейна не выявлено" in text
    assert "по данным медицинской карты" in text
    assert clinic.therapist.practitioner.last_name in text


def test_certificate_without_an_examination_concludes_nothing(clinic):
    entry = certificate_entry(clinic.patient, kind=Certificate.Kind.SPORT)
    text = _text(documents.certificate_pdf(entry))
    assert "не выявлено" not in text
    assert "осмотров терапевта или педиатра нет" in text


def test_record_pdf_prints_the_sections_and_is_signed(clinic):
    encounter_entry(clinic.patient, role=clinic.therapist)
    lab_entry(clinic.patient)
    diary_reading(clinic.patient, kind="pressure")
    access = record_open(
        actor=clinic.patient.user, person_id=clinic.patient.pk, section="everything", channel="web"
    )
    pdf = documents.record_pdf(access)
    _assert_signed(pdf)
    text = _text(pdf)
    assert clinic.patient.full_name in text
    for heading in ("Приёмы врачей", "Анализы", "Дневник здоровья", "Общий анализ крови"):
        assert heading in text


def test_a_clinic_key_from_settings_signs(clinic, settings, tmp_path):
    """A PKCS#12 file with a password, as a city configures its clinic's key."""
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    demo = pkcs12.load_key_and_certificates(documents._demo_pkcs12(), None)
    path = tmp_path / "clinic.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"clinic", demo[0], demo[1], None, BestAvailableEncryption(b"secret")
        )
    )
    settings.GOROD_HEALTH_SIGNING_KEY = str(path)
    settings.GOROD_HEALTH_SIGNING_PASSWORD = "secret"
    entry = certificate_entry(clinic.patient)
    _assert_signed(documents.certificate_pdf(entry))
