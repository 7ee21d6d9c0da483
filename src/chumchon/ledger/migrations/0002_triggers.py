"""Install the ledger's guard triggers (see chumchon.ledger.triggers) on SQLite or PostgreSQL."""

from django.db import migrations


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from chumchon.ledger.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=True):
        schema_editor.execute(sql)


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from chumchon.ledger.triggers import statements

    for sql in statements(schema_editor.connection.vendor, create=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
