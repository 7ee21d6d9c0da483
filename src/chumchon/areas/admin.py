from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    AreaDataImport,
    District,
    OrgUnit,
    Province,
    RoleAssignment,
    Subdistrict,
    Village,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "province", "active"]
    list_filter = ["active", "province"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(Subdistrict)
class SubdistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "district", "postal_codes", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name_th", "name_en", "postal_codes"]
    list_select_related = ["district"]


@admin.register(AreaDataImport)
class AreaDataImportAdmin(admin.ModelAdmin):
    list_display = ["source", "data_version", "package_version", "imported_at", "subdistricts"]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["subdistrict", "number", "name", "active"]
    search_fields = ["name", "subdistrict__name_th"]
    autocomplete_fields = ["subdistrict"]


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent", "subdistrict", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name"]
    autocomplete_fields = ["parent", "province", "district", "subdistrict", "village"]
    readonly_fields = ["path", "depth"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from .services import _segment

        super().save_model(request, obj, form, change)
        if not change:
            obj.depth = 0 if obj.parent is None else obj.parent.depth + 1
            obj.path = (obj.parent.path if obj.parent else "") + _segment(obj.pk)
            OrgUnit.objects.filter(pk=obj.pk).update(path=obj.path, depth=obj.depth)


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "org_unit", "start_date", "end_date"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "org_unit__name"]
    autocomplete_fields = ["org_unit"]
