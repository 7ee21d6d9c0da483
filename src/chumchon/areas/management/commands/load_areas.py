from django.core.management.base import BaseCommand
from django.db import transaction

from chumchon.areas.geodata import load_geothai
from chumchon.areas.models import AreaDataImport, District, Province, Subdistrict


class Command(BaseCommand):
    help = "โหลด/ปรับปรุงจังหวัด อำเภอ ตำบล (รหัสกรมการปกครอง) จากแพ็กเกจ geothai"

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            counts = load_geothai(Province, District, Subdistrict, AreaDataImport)
        last = AreaDataImport.objects.first()
        self.stdout.write(
            f"geothai {last.data_version if last else '?'}: "
            f"{counts['provinces']} จังหวัด, {counts['districts']} อำเภอ, "
            f"{counts['subdistricts']} ตำบล, ยกเลิกแล้ว {counts['inactive']} "
            f"(ข้าม {counts['skipped']})"
        )
