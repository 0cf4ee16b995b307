"""Icons, stylesheets and sample data, installed as ``guiapp.resources``.

Load them with ``importlib.resources.files("guiapp.resources") / "name"``.
"""
