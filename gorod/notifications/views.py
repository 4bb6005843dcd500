"""The citizen's choice of optional notifications (a page of the cabinet, routed by web):
a plain form, POST-redirect-GET; the choice is always the signed-in citizen's own."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gorod.accounts.selectors import person_of
from gorod.core.errors import DomainError, show_on_form
from gorod.notifications import selectors, services
from gorod.notifications.forms import TopicPreferencesForm


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def preferences_page(request):
    person = person_of(request.user)
    form = TopicPreferencesForm(
        selectors.topic_choices(person=person),
        data=request.POST if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.topic_preferences_set(actor=request.user, choices=form.cleaned_data)
        except DomainError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Настройки уведомлений сохранены."))
            return redirect("web:notification_settings")
    return render(
        request,
        "notifications/preferences.html",
        {"person": person, "form": form, "digest_hour": settings.GOROD_DIGEST_HOUR},
        status=400 if form.errors else 200,
    )
