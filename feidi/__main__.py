"""The ``feidi`` command: Django's management commands plus Feidi's own
(demo, serve, worker, createuser, audit …). ``feidi help`` lists them."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "feidi"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
