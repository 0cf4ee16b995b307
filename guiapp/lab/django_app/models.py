"""The models of the Lab's "large old sync codebase": customers and their orders."""

from __future__ import annotations

from django.db import models


class Customer(models.Model):  # type: ignore[misc]  # Django has no type information here
    name = models.CharField(max_length=100, unique=True)


class Order(models.Model):  # type: ignore[misc]
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="orders")
    sku = models.CharField(max_length=32)
    amount_cents = models.IntegerField()
