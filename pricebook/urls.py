"""Pricebook routes outside the API: the admin's images (mounted at the site root by lazi/urls.py)."""

from django.urls import path

from pricebook import views

app_name = "pricebook"

urlpatterns = [
    path("pricebook/images/", views.servicetitan_image_view, name="servicetitan-image"),
    path("pricebook/overrides/<int:pk>/image/", views.override_image_view, name="override-image"),
]
