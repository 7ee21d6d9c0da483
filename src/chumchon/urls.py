from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ชุมชน — ระบบหลังบ้าน"
admin.site.site_title = "ชุมชน"
admin.site.index_title = "การจัดการข้อมูล"
# The back office is not scoped by org unit, so only superusers may enter it: a staff flag alone
# would show every tambon's people.
admin.site.has_permission = lambda request: bool(  # type: ignore[method-assign]
    request.user.is_active and request.user.is_superuser
)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("chumchon.web.urls")),
]
