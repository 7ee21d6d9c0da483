from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Household, HouseholdMember, Person


class MemberInline(admin.TabularInline):
    model = HouseholdMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["first_name", "last_name", "org_unit", "birth_year", "death_date"]
    search_fields = ["first_name", "last_name", "national_id"]
    list_filter = ["sex"]
    autocomplete_fields = ["org_unit", "village", "subdistrict"]
    readonly_fields = ["first_name_key", "last_name_key"]


@admin.register(Household)
class HouseholdAdmin(SimpleHistoryAdmin):
    list_display = ["house_number", "village", "house_registration_no", "org_unit"]
    search_fields = ["house_number", "house_registration_no"]
    autocomplete_fields = ["org_unit", "village", "subdistrict"]
    inlines = [MemberInline]
