from __future__ import annotations

from django.urls import path

from coparent.web.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.scorecard, name="scorecard"),
    path("me/", views.me, name="me"),
    path("diagnosis/", views.diagnosis, name="diagnosis"),
    path("funnel/", views.funnel, name="funnel"),
    path("products/", views.products, name="products"),
    # path: any stored id (even "sku/2025") reverses to a working link
    path("products/<path:product_id>/", views.product, name="product"),
]
