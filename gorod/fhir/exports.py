"""The citizen's copy of the whole record: FHIR JSON (any app can read it) or a signed PDF.

Both are one look at "everything", logged like any page; an anonymous visitor signs in
first, a record the reader may not see is the 404 page.
"""

import json

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from gorod.fhir.resources.booking import MIME_TYPE
from gorod.fhir.selectors.record import record_bundle
from gorod.medrecord import documents
from gorod.medrecord.emergency import emergency_session_grant
from gorod.medrecord.rules import EVERYTHING
from gorod.medrecord.selectors.access import NotSignedIn, RecordAccess, record_open


def _open(request, person_id: int) -> RecordAccess:
    return record_open(
        actor=request.user,
        person_id=person_id,
        section=EVERYTHING,
        channel="web",
        emergency_access=emergency_session_grant(request, person_id),
    )


def _download(request, person_id: int, render, *, content_type: str, suffix: str):
    try:
        access = _open(request, person_id)
    except NotSignedIn:
        return redirect_to_login(request.get_full_path())
    response = HttpResponse(render(request, access), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="record-{person_id}.{suffix}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _json(request, access: RecordAccess) -> bytes:
    metadata = request.build_absolute_uri(reverse("fhir:metadata"))
    bundle = record_bundle(access, base=metadata[: -len("metadata")])
    return json.dumps(bundle, ensure_ascii=False, indent=1).encode()


@require_GET
def export_json(request, person_id: int):
    return _download(request, person_id, _json, content_type=MIME_TYPE, suffix="json")


@require_GET
def export_pdf(request, person_id: int):
    return _download(
        request,
        person_id,
        lambda _request, access: documents.record_pdf(access),
        content_type="application/pdf",
        suffix="pdf",
    )


urlpatterns = [
    path("<int:person_id>/export.json", export_json, name="export_json"),
    path("<int:person_id>/export.pdf", export_pdf, name="export_pdf"),
]
