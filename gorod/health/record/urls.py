"""The record's pages: each module lists its own routes, so each has one author."""

from gorod.health.record import access_log, certificates, diary, exports, views

app_name = "record"

urlpatterns = [
    *views.urlpatterns,
    *certificates.urlpatterns,
    *diary.urlpatterns,
    *access_log.urlpatterns,
    *exports.urlpatterns,
]
