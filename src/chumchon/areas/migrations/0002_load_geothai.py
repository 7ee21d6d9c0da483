"""Data: provinces, districts and subdistricts from the geothai package (DOPA codes)."""

from django.db import migrations


def load(apps, schema_editor):
    from chumchon.areas.geodata import load_geothai

    load_geothai(
        apps.get_model("areas", "Province"),
        apps.get_model("areas", "District"),
        apps.get_model("areas", "Subdistrict"),
        apps.get_model("areas", "AreaDataImport"),
    )


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
