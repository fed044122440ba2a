from django.urls import path

from . import views

urlpatterns = [
    # The mentor's recommendation, the mentee's answer, and the region's VP's pipeline.
    path("partnerships/<int:partnership_id>/recommend/", views.recommend, name="recommend"),
    path("recommendations/<int:recommendation_id>/", views.recommendation, name="recommendation"),
    path(
        "recommendations/<int:recommendation_id>/withdraw/",
        views.recommendation_withdraw,
        name="recommendation_withdraw",
    ),
    path("regions/<int:region_id>/pipeline/", views.pipeline, name="leadership_pipeline"),
    path("regions/<int:region_id>/pipeline/invite/", views.pipeline_invite, name="pipeline_invite"),
    # A local association's officers (staff and the region's VP).
    path("associations/<int:association_id>/officers/", views.association_officers, name="association_officers"),
    path(
        "associations/<int:association_id>/officers/<int:officer_id>/remove/",
        views.officer_remove,
        name="officer_remove",
    ),
    # How the emails of an association or a region look (staff, its officers, the region's VP).
    path("branding/", views.branding_home, name="branding_home"),
    path("associations/<int:association_id>/branding/", views.association_branding, name="association_branding"),
    path(
        "associations/<int:association_id>/branding/preview/<slug:kind>/",
        views.association_branding_preview,
        name="association_branding_preview",
    ),
    path("regions/<int:region_id>/branding/", views.region_branding, name="region_branding"),
    path(
        "regions/<int:region_id>/branding/preview/<slug:kind>/",
        views.region_branding_preview,
        name="region_branding_preview",
    ),
]
