"""The second-factor pages, under /desk/account/ (before the admin's own routes); each needs a staff log-in."""

from django.contrib import admin
from django.urls import path

from programme_tracker.accounts import views

app_name = "accounts"
urlpatterns = [
    path("second-factor/", admin.site.admin_view(views.second_factor_view), name="second-factor"),
    path("second-factor/verify/", admin.site.admin_view(views.verify_view), name="second-factor-verify"),
    path("second-factor/set-up/", admin.site.admin_view(views.enrol_view), name="second-factor-enrol"),
    path("second-factor/recovery-codes/", admin.site.admin_view(views.recovery_codes_view), name="recovery-codes"),
]
