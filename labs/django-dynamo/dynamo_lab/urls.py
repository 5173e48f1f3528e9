from django.urls import path

from shop import views

urlpatterns = [
    path("", views.index),
    path("openapi.json", views.openapi),
    path("api/profile/", views.profile),
    path("api/cart/", views.cart),
    path("api/items/", views.item_list),
    path("api/items/<str:item_id>", views.item_detail),
    path("api/search/", views.search),
    path("api/users/", views.users),
    path("api/config/", views.config),
]

# Only used when DEBUG=False (fixed variant); DEBUG=True shows Django's technical pages.
handler400 = "shop.views.error_400"
handler404 = "shop.views.error_404"
handler500 = "shop.views.error_500"
