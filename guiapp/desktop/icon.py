"""The application icon: one SVG (``guiapp/desktop/guiapp.svg``) drawn at the hicolor sizes.

:func:`app_icon` is the multi-size window icon (a window manager or task bar picks the size it
shows); :func:`render_png` draws one size as PNG bytes for the icon theme (no QGuiApplication
needed: it paints into a QImage).

Example::

    app.setWindowIcon(app_icon())
    Path("guiapp.png").write_bytes(render_png(256))
"""

from __future__ import annotations

from importlib.resources import files

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

__all__ = ["ICON_SIZES", "app_icon", "app_icon_svg", "render_image", "render_png"]

#: The sizes of the freedesktop hicolor theme that launchers and task bars ask for.
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def app_icon_svg() -> bytes:
    """The SVG source of the application icon."""
    return (files("guiapp.desktop") / "guiapp.svg").read_bytes()


def render_image(size: int) -> QImage:
    """The application icon drawn at ``size`` x ``size`` pixels, on a transparent background."""
    if size < 1:
        raise ValueError(f"icon size must be at least 1 pixel, not {size}")
    renderer = QSvgRenderer(QByteArray(app_icon_svg()))
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def render_png(size: int) -> bytes:
    """PNG bytes of the application icon at ``size`` pixels."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # The 6.11 stubs type the format as bytes, but only a str is accepted at run time.
    if not render_image(size).save(buffer, "PNG"):  # type: ignore[call-overload]
        raise RuntimeError(f"Qt could not encode the {size} px icon as PNG")
    return bytes(buffer.data().data())


def app_icon() -> QIcon:
    """The window icon with a pixmap for each of :data:`ICON_SIZES` (needs a QGuiApplication).

    Not cached: a QPixmap kept in a module global would outlive the application object.
    """
    result = QIcon()
    for size in ICON_SIZES:
        result.addPixmap(QPixmap.fromImage(render_image(size)))
    return result
