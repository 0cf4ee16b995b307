"""Image preview for ``image/*`` response bodies (SVG through QtSvg).

Decoding runs in a worker thread: ``QImage`` (unlike ``QPixmap``) may be built off the GUI
thread, and PySide6 releases the GIL while Qt decodes, so a 20 MB PNG does not stall the GUI.

Example::

    view = BodyImageView()
    await view.show_image(png_bytes, "image/png")
    view.image_size()      # QSize(640, 480)
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPixmap
from PySide6.QtWidgets import QLabel, QScrollArea, QVBoxLayout, QWidget

from guiapp.offload import run_blocking

__all__ = ["BodyImageView", "ImageDecodeError", "decode_image"]

#: Largest rendered side of an SVG (its own size is often tiny or absent).
_SVG_MAX_SIDE = 2048


class ImageDecodeError(ValueError):
    """The body is not an image Qt can decode."""


def decode_image(data: bytes, media_type: str) -> QImage:
    """Decode ``data`` into a QImage (any thread); raise :class:`ImageDecodeError`."""
    if media_type == "image/svg+xml":
        return _render_svg(data)
    image = QImage.fromData(data)
    if image.isNull():
        raise ImageDecodeError(f"cannot decode this {media_type or 'image'} body")
    return image


def _render_svg(data: bytes) -> QImage:
    try:
        from PySide6.QtSvg import QSvgRenderer
    except ImportError as exc:  # pragma: no cover - QtSvg ships with PySide6-Essentials 6.11
        raise ImageDecodeError("SVG preview needs QtSvg, which is not installed") from exc
    renderer = QSvgRenderer(QByteArray(data))
    if not renderer.isValid():
        raise ImageDecodeError("this SVG body is not valid")
    size = renderer.defaultSize()
    if size.isEmpty():
        size = QSize(512, 512)
    if max(size.width(), size.height()) > _SVG_MAX_SIDE:
        size.scale(_SVG_MAX_SIDE, _SVG_MAX_SIDE, Qt.AspectRatioMode.KeepAspectRatio)
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    return image


class BodyImageView(QWidget):
    """A scrollable image with a caption (format, size in pixels and bytes)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
        self._image.setObjectName("responseImage")
        self._caption = QLabel()
        self._caption.setObjectName("responseImageCaption")
        scroll = QScrollArea()
        scroll.setWidget(self._image)
        scroll.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addWidget(self._caption)
        self._size = QSize()

    async def show_image(self, data: bytes, media_type: str) -> None:
        """Decode off the GUI thread, then show; raises :class:`ImageDecodeError`."""
        image = await run_blocking(decode_image, data, media_type)
        self._image.setPixmap(QPixmap.fromImage(image))
        self._size = image.size()
        self._caption.setText(
            f"{media_type or 'image'} · {image.width()} × {image.height()} px · {len(data):,} bytes"
        )

    def image_size(self) -> QSize:
        """Size in pixels of the shown image (empty when none)."""
        return QSize(self._size)

    def clear(self) -> None:
        self._image.clear()
        self._caption.clear()
        self._size = QSize()
