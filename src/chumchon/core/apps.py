from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _register_sqlite_functions(sender: object, connection: object, **kwargs: object) -> None:
    """Give SQLite the Thai collation PostgreSQL has (th-x-icu), under the same name.

    Queries order with ``Collate(field, "th-x-icu")`` and read the same on both databases.
    """
    if getattr(connection, "vendor", "") != "sqlite":
        return
    from chumchon.core.thai import thai_compare

    raw = connection.connection  # type: ignore[attr-defined]
    raw.create_collation("th-x-icu", thai_compare)


class CoreConfig(AppConfig):
    name = "chumchon.core"
    label = "core"
    verbose_name = "แกนกลาง"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_functions, dispatch_uid="chumchon-sqlite-thai")
