from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ชุมชน — ระบบหลังบ้าน"
admin.site.site_title = "ชุมชน"
admin.site.index_title = "การจัดการข้อมูล"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("chumchon.web.urls")),
]
