"""The Lab's Django app: two models (a customer and its orders) and their migration.

Loaded only by :func:`guiapp.lab.django_orm.setup`, which lists it in ``INSTALLED_APPS`` of
a Django project configured in code and applies its migration; importing this package loads
nothing (its models need a configured Django).
"""
