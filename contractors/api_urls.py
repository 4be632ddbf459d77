from django.urls import path

from contractors import api

urlpatterns = [
    path("work-orders/", api.WorkOrderList.as_view(), name="api-work-order-list"),
    path("work-orders/<int:pk>/", api.WorkOrderDetail.as_view(), name="api-work-order-detail"),
    path(
        "work-orders/<int:pk>/acknowledge/",
        api.WorkOrderAcknowledge.as_view(),
        name="api-work-order-acknowledge",
    ),
]
