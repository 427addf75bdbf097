"""Thumbnail cells shared by the variations strip and grid: the image fitted to the cell, a
caption, and a star toggle in the image's top-right corner (click it to star / unstar)."""

from __future__ import annotations

import math

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QIcon,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from studio.ui.variations.session_model import STAR_ROLE

PAD = 4
STAR_GOLD = QColor(255, 196, 36)
_Index = QModelIndex | QPersistentModelIndex


def star_path(rect: QRectF) -> QPainterPath:
    """A five-pointed star filling rect."""
    centre = rect.center()
    outer = min(rect.width(), rect.height()) / 2
    inner = outer * 0.45
    path = QPainterPath()
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        point = QPointF(
            centre.x() + radius * math.cos(angle), centre.y() + radius * math.sin(angle)
        )
        if i == 0:
            path.moveTo(point)
        else:
            path.lineTo(point)
    path.closeSubpath()
    return path


def paint_star(painter: QPainter, rect: QRectF, starred: bool, hovered: bool = False) -> None:
    """The star toggle: a gold star when on, a white outline on a dark disc when off."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150 if starred or hovered else 95))
    painter.drawEllipse(rect)
    star = star_path(rect.adjusted(3.5, 3.5, -3.5, -3.0))
    if starred:
        painter.setPen(QPen(QColor(120, 80, 0), 1.0))
        painter.setBrush(STAR_GOLD)
    else:
        painter.setPen(QPen(QColor(255, 255, 255, 235 if hovered else 170), 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawPath(star)
    painter.restore()


def _pixmap(value: object, size: QSize) -> QPixmap | None:
    if isinstance(value, QPixmap):
        return value
    if isinstance(value, QIcon) and not value.isNull():
        sizes = value.availableSizes()
        return value.pixmap(sizes[-1] if sizes else size)
    return None


class ThumbDelegate(QStyledItemDelegate):
    """Paints a result cell; `star_clicked(index)` when its star toggle is clicked."""

    star_clicked = Signal(object)  # QModelIndex

    def __init__(self, view: QAbstractItemView | None = None) -> None:
        super().__init__(view)
        self._view = view
        if view is not None:
            view.viewport().installEventFilter(self)

    # --- geometry ------------------------------------------------------------------------
    @staticmethod
    def star_size(icon: QSize) -> int:
        return max(18, min(28, icon.width() // 6))

    def layout(self, cell: QRect, icon: QSize, image: QSize | None) -> tuple[QRect, QRect, QRect]:
        """(image rect, star rect, caption rect) of a cell."""
        box = QRect(cell.x() + (cell.width() - icon.width()) // 2, cell.y() + PAD, *icon.toTuple())
        if image is not None and not image.isEmpty():
            fitted = image.scaled(icon, Qt.AspectRatioMode.KeepAspectRatio)
            box = QRect(
                box.x() + (icon.width() - fitted.width()) // 2,
                box.y() + (icon.height() - fitted.height()) // 2,
                fitted.width(),
                fitted.height(),
            )
        side = self.star_size(icon)
        star = QRect(box.right() - side - PAD + 1, box.top() + PAD, side, side)
        top = cell.y() + PAD + icon.height() + 2
        caption = QRect(cell.x() + PAD, top, cell.width() - 2 * PAD, cell.bottom() - top)
        return box, star, caption

    def star_rect(self, option: QStyleOptionViewItem, index: _Index) -> QRect:
        pixmap = _pixmap(index.data(Qt.ItemDataRole.DecorationRole), option.decorationSize)
        size = pixmap.deviceIndependentSize().toSize() if pixmap is not None else None
        return self.layout(option.rect, option.decorationSize, size)[1]

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        icon = option.decorationSize
        return QSize(icon.width() + 2 * PAD, icon.height() + option.fontMetrics.height() + 3 * PAD)

    # --- painting ------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.decorationSize = option.decorationSize  # the view's icon size, not the pixmap's
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        hovered = bool(opt.state & QStyle.StateFlag.State_MouseOver)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        cell = QRectF(opt.rect).adjusted(1, 1, -1, -1)
        if selected or hovered:
            fill = QColor(palette.color(QPalette.ColorRole.Highlight))
            fill.setAlpha(200 if selected else 60)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(cell, 5, 5)
        pixmap = _pixmap(index.data(Qt.ItemDataRole.DecorationRole), opt.decorationSize)
        size = pixmap.deviceIndependentSize().toSize() if pixmap is not None else None
        box, star, caption = self.layout(opt.rect, opt.decorationSize, size)
        if pixmap is not None:
            painter.drawPixmap(box, pixmap)
        starred = bool(index.data(STAR_ROLE))
        if starred:
            painter.setPen(QPen(STAR_GOLD, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(box).adjusted(-1, -1, 1, 1))
        paint_star(painter, QRectF(star), starred, hovered)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        painter.setPen(palette.color(role))
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        elided = opt.fontMetrics.elidedText(text, Qt.TextElideMode.ElideRight, caption.width())
        painter.drawText(caption, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, elided)
        painter.restore()

    # --- the star toggle -----------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Clicks on a star toggle it and go no further: no selection change, no preview."""
        kinds = (
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonRelease,
            QEvent.Type.MouseButtonDblClick,
        )
        view = self._view
        if (
            view is None
            or event.type() not in kinds
            or not isinstance(event, QMouseEvent)
            or event.button() != Qt.MouseButton.LeftButton
        ):
            return False
        pos = event.position().toPoint()
        index = view.indexAt(pos)
        if not index.isValid() or not self.star_rect_at(view, index).contains(pos):
            return False
        if event.type() == QEvent.Type.MouseButtonRelease:
            self.star_clicked.emit(index)
        return True

    def star_rect_at(self, view: QAbstractItemView, index: _Index) -> QRect:
        """The star toggle of the view's cell at index, in viewport coordinates."""
        option = QStyleOptionViewItem()
        option.rect = view.visualRect(QModelIndex(index))
        option.decorationSize = view.iconSize()
        return self.star_rect(option, index)
