"""The `chumchon` command: our own subcommands plus everything manage.py does.

chumchon demo [--port N] [--no-serve]    build the Thai demo tambon (SQLite) and serve it
chumchon load_areas                      load/refresh provinces, districts, subdistricts
chumchon migrate | createsuperuser | ... Django's management commands
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chumchon.settings")
    os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
    os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")
    if len(args) > 1 and args[1] == "demo":
        # The demo always runs on its own SQLite file with DEBUG on: no other service needed.
        data_dir = Path(os.environ.get("CHUMCHON_DATA_DIR", "var")).resolve()
        data_dir.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir / 'demo.sqlite3'}"
        os.environ.setdefault("CHUMCHON_DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["chumchon", *args[1:]])


if __name__ == "__main__":
    main()
