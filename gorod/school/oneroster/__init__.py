"""IMS (1EdTech) OneRoster 1.2 for the school diary: one mapping of a school to rostering
and gradebook rows (roster.py), written as the CSV bulk zip (csv_export.py) and served by
the read-only REST binding (rest.py, gorod/school/oneroster_views.py), for the school's
head teacher only (access.py). The standard's column lists and value sets are in spec.py."""
