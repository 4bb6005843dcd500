"""The result of a service as a PDF the citizen downloads (outcome kind `document`).

Laid out by fpdf2 with Roboto (the font_roboto package: Cyrillic without system fonts), as
the medical record's certificates are. The document is in Russian whatever the page's
language: it is a document of a Moscow department.
"""

from django.utils import formats, translation
from django.utils.translation import gettext as _

from gorod.applications import rules
from gorod.applications.models import Application
from gorod.core.clock import local_date
from gorod.core.pdf import Document


def result_pdf(application: Application, *, text: str, now) -> bytes:
    """The department's result: who decided, for whom, what, on which day."""
    with translation.override("ru"):
        document = application.definition.document
        title = rules.text(document["outcome"]["title"])
        department = application.department
        pdf = Document(title)
        pdf.line_of(department.name or department.code, size=12, bold=True, gap=6)
        pdf.line_of(title.upper(), size=14, bold=True)
        pdf.line_of(
            _("по заявлению № %(number)s от %(day)s")
            % {
                "number": application.number,
                "day": formats.date_format(local_date(application.submitted_at), "d.m.Y"),
            },
            gap=5,
        )
        pdf.line_of(_("Услуга: %(service)s") % {"service": application.service.title})
        pdf.line_of(
            _("Заявитель: %(name)s, дата рождения %(birth)s")
            % {
                "name": application.applicant.full_name,
                "birth": formats.date_format(application.applicant.birth_date, "d.m.Y"),
            }
        )
        if application.subject_id != application.applicant_id:
            pdf.line_of(
                _("В отношении: %(name)s, дата рождения %(birth)s")
                % {
                    "name": application.subject.full_name,
                    "birth": formats.date_format(application.subject.birth_date, "d.m.Y"),
                }
            )
        pdf.ln(4)
        if text:
            pdf.line_of(text)
        pdf.ln(8)
        pdf.line_of(
            _("Дата: %(day)s") % {"day": formats.date_format(local_date(now), "d.m.Y")}, size=10
        )
        pdf.line_of(
            _("Документ сформирован порталом городских услуг по решению ведомства."), size=9
        )
        return bytes(pdf.output())
