"""Load provinces, districts and subdistricts from the geothai package (DOPA codes).

Data: GeoThai (CC BY 4.0), credited in README.md. The loader upserts, so running it again after a
geothai upgrade updates names and marks newly abolished areas inactive; abolished areas are kept
(old records may point at them) with ``active=False`` and their abolition date.
"""

from __future__ import annotations

import datetime as dt
from importlib.metadata import PackageNotFoundError, version
from typing import Any


def load_geothai(
    province_model: Any, district_model: Any, subdistrict_model: Any, import_model: Any
) -> dict[str, int]:
    import geothai
    from geothai.abolished import abolished_areas

    provinces: dict[str, dict[str, Any]] = {}
    districts: dict[str, dict[str, Any]] = {}
    subdistricts: dict[str, dict[str, Any]] = {}
    for p in geothai.provinces():
        provinces[p.code] = {"name_th": p.name_th, "name_en": p.name_en or "", "active": True}
        for d in geothai.districts(p.code):
            districts[d.code] = {
                "province_id": p.code,
                "name_th": d.name_th,
                "name_en": d.name_en or "",
                "active": True,
            }
            for s in geothai.subdistricts(d.code):
                subdistricts[s.code] = {
                    "district_id": d.code,
                    "name_th": s.name_th,
                    "name_en": s.name_en or "",
                    "postal_codes": ",".join(s.postal_codes),
                    "active": True,
                }
    inactive = 0
    skipped = 0
    for a in sorted(abolished_areas(), key=lambda a: len(a.code)):
        on = dt.date.fromisoformat(a.abolished_on) if a.abolished_on else None
        row = {
            "name_th": a.name_th,
            "name_en": a.name_en or "",
            "active": False,
            "abolished_on": on,
        }
        if a.level == "province" and a.code not in provinces:
            provinces[a.code] = row
        elif a.level == "district" and a.code not in districts:
            if a.parent_code not in provinces:
                skipped += 1
                continue
            districts[a.code] = {**row, "province_id": a.parent_code}
        elif a.level == "subdistrict" and a.code not in subdistricts:
            if a.parent_code not in districts:
                skipped += 1
                continue
            subdistricts[a.code] = {**row, "district_id": a.parent_code, "postal_codes": ""}
        else:
            continue
        inactive += 1

    for model, rows in (
        (province_model, provinces),
        (district_model, districts),
        (subdistrict_model, subdistricts),
    ):
        fields = sorted({k for r in rows.values() for k in r})
        existing = {row["code"]: row for row in model.objects.values("code", *fields)}
        new = [model(code=c, **r) for c, r in rows.items() if c not in existing]
        model.objects.bulk_create(new, batch_size=2000)
        changed = [
            model(code=c, **{**existing[c], **r})
            for c, r in rows.items()
            if c in existing and any(existing[c].get(k) != v for k, v in r.items())
        ]
        if changed:
            model.objects.bulk_update(changed, fields, batch_size=2000)

    try:
        pkg = version("geothai")
    except PackageNotFoundError:  # pragma: no cover
        pkg = ""
    counts = {
        "provinces": sum(1 for r in provinces.values() if r["active"]),
        "districts": sum(1 for r in districts.values() if r["active"]),
        "subdistricts": sum(1 for r in subdistricts.values() if r["active"]),
        "inactive": inactive,
        "skipped": skipped,
    }
    import_model.objects.create(
        source="geothai",
        data_version=geothai.DATA_VERSION,
        package_version=pkg,
        provinces=counts["provinces"],
        districts=counts["districts"],
        subdistricts=counts["subdistricts"],
        inactive=inactive,
    )
    return counts
