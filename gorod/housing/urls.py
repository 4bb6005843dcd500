from django.urls import path

from gorod.housing import backoffice, views

app_name = "housing"

urlpatterns = [
    path("", views.meters, name="meters"),
    path("premises/link/", views.premises_link, name="premises_link"),
    path("link-requests/<int:request_id>/", views.link_request, name="link_request"),
    path("premises/<int:premises_id>/unlink/", views.premises_unlink, name="premises_unlink"),
    path("premises/<int:premises_id>/submit/", views.readings_submit, name="readings_submit"),
    path("meters/<int:meter_id>/", views.meter_detail, name="meter_detail"),
    path(
        "readings/<int:reading_id>/correction/",
        views.correction_request,
        name="correction_request",
    ),
    path("operator/", backoffice.home, name="operator_home"),
    path("operator/premises/", backoffice.premises_search, name="operator_premises"),
    path("operator/verification/", backoffice.verification_due, name="operator_verification"),
    path("operator/export/", backoffice.billing_export, name="operator_export"),
    path(
        "operator/readings/<int:reading_id>/review/",
        backoffice.reading_review,
        name="operator_reading_review",
    ),
    path(
        "operator/corrections/<int:request_id>/decide/",
        backoffice.correction_decide,
        name="operator_correction_decide",
    ),
    path(
        "operator/referrals/<int:referral_id>/close/",
        backoffice.referral_close,
        name="operator_referral_close",
    ),
    path(
        "operator/meters/<int:meter_id>/replace/",
        backoffice.meter_replace,
        name="operator_meter_replace",
    ),
]
