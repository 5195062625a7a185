"""The ``feidi`` command: Django's management commands plus Feidi's own
(demo, serve, worker, createuser, audit …). ``feidi help`` lists them."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "feidi.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "feidi"
    if len(args) > 1 and args[1] == "check" and "--deploy" in args and "--fail-level" not in args:
        # a deployment check is passed only when clean: any warning fails it (exit status 1)
        args += ["--fail-level", "WARNING"]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
