"""The `gorod` command: Django's management commands under the project's own name.

`gorod serve`, `gorod demo`, `gorod import services FILE`, and every stock command
(`gorod migrate`, `gorod createsuperuser`, …).
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gorod.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gorod", *sys.argv[1:]])


if __name__ == "__main__":
    main()
