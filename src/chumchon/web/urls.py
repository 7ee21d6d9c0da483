from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_books, views_docs, views_excel, views_funds, views_money

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:pk>/villages/new/", views.village_create, name="village_create"),
    path("units/<int:pk>/units/new/", views.sub_unit_create, name="sub_unit_create"),
    path("units/<int:pk>/roles/new/", views.role_create, name="role_create"),
    path("units/<int:pk>/roles/<int:ra_pk>/end/", views.role_end, name="role_end"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/check/", views.person_check, name="person_check"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("households/", views.household_list, name="household_list"),
    path("households/new/", views.household_create, name="household_create"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/edit/", views.household_edit, name="household_edit"),
    path("households/<int:pk>/members/", views.household_member_add, name="household_member_add"),
    path(
        "households/<int:pk>/members/<int:member_pk>/remove/",
        views.household_member_remove,
        name="household_member_remove",
    ),
]

# The fund screens: each module keeps its own patterns.
urlpatterns += views_funds.urlpatterns
urlpatterns += views_money.urlpatterns
urlpatterns += views_books.urlpatterns
urlpatterns += views_docs.urlpatterns
urlpatterns += views_excel.urlpatterns

from . import views_claims  # noqa: E402

urlpatterns += views_claims.urlpatterns

from . import views_regulation  # noqa: E402

urlpatterns += views_regulation.urlpatterns

from . import views_runs  # noqa: E402

urlpatterns += views_runs.urlpatterns

from . import views_exports  # noqa: E402

urlpatterns += views_exports.urlpatterns

from . import views_dashboards  # noqa: E402

urlpatterns += views_dashboards.urlpatterns

from . import views_statements  # noqa: E402

urlpatterns += views_statements.urlpatterns

from . import views_cash  # noqa: E402

urlpatterns += views_cash.urlpatterns
