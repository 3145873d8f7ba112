"""The dispatch API's serializers: none beyond the default (`MirrorViewSet` serves `mirror_serializer(model)` when a
viewset names none). One goes here when a collection serves something else (see pricebook, sales)."""
