from django.urls import include, path

from pricebook.api import views
from servicetitan.api.routers import MirrorRouter

router = MirrorRouter()
router.register("categories", views.CategoryViewSet)
router.register("materials", views.MaterialViewSet)
router.register("services", views.ServiceViewSet)
router.register("equipment", views.EquipmentViewSet)
router.register("overrides", views.PricebookOverrideViewSet)
router.register("pricing-rules", views.PricingRuleViewSet)
router.register("reprices", views.RepriceBatchViewSet)
router.register("history", views.PriceHistoryViewSet)
router.register("health", views.PricebookHealthViewSet, basename="pricebook-health")
router.register("markup-tiers", views.MarkupTierViewSet)

urlpatterns = [path("central/", include("pricebook.api.central_urls")), *router.urls]
