"""Placeholder: POST of a laboratory's DiagnosticReport bundle, filled in by its author."""

from django.http import HttpResponse


def bundle_post(request):
    return HttpResponse(status=501)
