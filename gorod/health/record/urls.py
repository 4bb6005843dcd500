"""The record's pages: each module lists its own routes, so each has one author.

The tools' fixed paths (certificates/, diary/, access-log/, export.*) come before the
generic `<section>/` pages, which would otherwise take them for a section name.
"""

from gorod.health.record import access_log, certificates, diary, exports, views

app_name = "record"

urlpatterns = [
    *certificates.urlpatterns,
    *diary.urlpatterns,
    *access_log.urlpatterns,
    *exports.urlpatterns,
    *views.urlpatterns,
]
