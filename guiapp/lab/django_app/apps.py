"""The app's configuration: its label, ``lab``, names the tables (``lab_customer``...)."""

from __future__ import annotations

from django.apps import AppConfig


class LabConfig(AppConfig):  # type: ignore[misc]  # Django has no type information here
    name = "guiapp.lab.django_app"
    label = "lab"
    default_auto_field = "django.db.models.BigAutoField"
