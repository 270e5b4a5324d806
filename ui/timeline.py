"""The replay timeline: play/pause, speed, a position bar with event markers, previous/next event.

The widget drives a Qt-free controller (``logs.replay.ReplaySource``, or the composition
root's wrapper of it) through the few methods below, and polls ``position_utc`` about ten
times a second to move the bar; it never touches records, files or threads itself.

    [▶] [0.25× … 64×] [⏮] [⏭]  12:03:41 ──●──|──|────|──  00:14:05 / 01:02:30

Keys (anywhere in the window): Space play/pause, [ and ] slower/faster, "," and "." (or
PageUp/PageDown) previous/next event. Dragging the bar shows the time under the cursor and
seeks when the button is released (seeking on every mouse move would restart the views each
time).
"""

from __future__ import annotations

import time
from typing import Protocol

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeySequence, QMouseEvent, QPainter, QPaintEvent, QPen, QShortcut
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QToolTip, QWidget

from fieldapp.model import EV_CALL_DROPPED
from ui.theme import event_colour

ALARM_COLOUR = event_colour(EV_CALL_DROPPED)

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
POLL_MS = 100  # ~10 Hz: the bar moves smoothly without costing the views anything
BAR_MARGIN_PX = 8  # room for the handle at both ends
GROUP_PX = 10  # marks on the bar stand at least this far apart (closer markers are one group)


class ReplayControls(Protocol):
    """What the timeline needs from a replay (``logs.replay.ReplaySource`` has all of it)."""

    @property
    def position_utc(self) -> float: ...
    @property
    def timeline(self): ...  # TimelineModel: duration_s, markers, fraction(ts), ts_at(fraction)
    @property
    def playing(self) -> bool: ...
    @property
    def speed(self) -> float: ...

    def play(self) -> None: ...
    def pause(self) -> None: ...
    def set_speed(self, x: float) -> None: ...
    def seek(self, ts_utc: float) -> None: ...
    def next_event(self): ...
    def prev_event(self): ...


def duration_text(seconds: float) -> str:
    """01:02:03 (hours always shown: drive tests run for hours)."""
    s = max(0, int(round(seconds)))
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def clock_text(ts_utc: float) -> str:
    """Local wall-clock time of a recorded instant, as the events list shows it."""
    return time.strftime("%H:%M:%S", time.localtime(ts_utc))


class TimelineBar(QWidget):
    """The position bar: played part, event markers (coloured by kind), the handle. Drag to
    choose a time; ``seek_requested(fraction)`` fires on release."""

    seek_requested = Signal(float)
    drag_moved = Signal(float)  # fraction under the cursor while dragging

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fraction = 0.0
        self.markers: list[tuple[float, str]] = []  # (fraction, colour)
        self.kinds: list[str] = []  # the event kind of each marker (tooltips of a group)
        self.drag_fraction: float | None = None
        self.setMinimumHeight(26)
        self.setMinimumWidth(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMouseTracking(False)

    def set_markers(self, markers: list[tuple[float, str]], kinds: list[str] | None = None) -> None:
        self.markers = list(markers)
        self.kinds = list(kinds) if kinds is not None else [""] * len(self.markers)
        self._groups_cache = (None, None)
        self.update()

    def groups(self) -> list[tuple[float, list[str], list[str]]]:
        """Markers grouped by density: (x, colours by count, kinds), one mark per group and
        marks at least ``GROUP_PX`` apart. A 1.5-hour log with 555 events on a 425-pixel bar
        (1366×768) is some 40 separate marks, each split into the colours of the kinds in it
        (most frequent first): a comb of marks five pixels apart read as one solid bar."""
        key = (self.width(), len(self.markers), id(self.markers))
        if getattr(self, "_groups_cache", (None,))[0] == key:
            return self._groups_cache[1]
        out = self._group()
        self._groups_cache = (key, out)
        return out

    def _group(self) -> list[tuple[float, list[str], list[str]]]:
        order = sorted(range(len(self.markers)), key=lambda i: self.markers[i][0])
        xs = {i: self.x_of(self.markers[i][0]) for i in order}
        clusters: list[list[int]] = []
        for i in order:  # greedy: a group spans less than GROUP_PX from its first marker
            if clusters and xs[i] - xs[clusters[-1][0]] < GROUP_PX:
                clusters[-1].append(i)
            else:
                clusters.append([i])
        centres = [sum(xs[i] for i in c) / len(c) for c in clusters]
        merged = True
        while merged:  # a group drawn at its mean may come close to the next: merge those
            merged = False
            for k in range(len(clusters) - 1):
                if centres[k + 1] - centres[k] < GROUP_PX:
                    clusters[k] += clusters.pop(k + 1)
                    centres.pop(k + 1)
                    centres[k] = sum(xs[i] for i in clusters[k]) / len(clusters[k])
                    merged = True
                    break
        out = []
        for x, members in zip(centres, clusters):
            counts: dict[str, int] = {}
            for i in members:
                counts[self.markers[i][1]] = counts.get(self.markers[i][1], 0) + 1
            # A failure's red is never crowded out of a group; then the most frequent kinds.
            colours = sorted(counts, key=lambda c: (c != ALARM_COLOUR, -counts[c]))
            out.append((x, colours, [self.kinds[i] for i in members if i < len(self.kinds)]))
        return out

    def event(self, e) -> bool:
        if e.type() == QEvent.Type.ToolTip:
            x = e.position().x() if hasattr(e, "position") else e.pos().x()
            near = [g for g in self.groups() if abs(g[0] - x) <= GROUP_PX]
            if near:
                kinds = near[0][2]
                counts: dict[str, int] = {}
                for k in kinds:
                    counts[k.replace("_", " ")] = counts.get(k.replace("_", " "), 0) + 1
                text = f"{len(kinds)} event{'s' if len(kinds) != 1 else ''}: " + ", ".join(
                    f"{n} {k}" for k, n in sorted(counts.items(), key=lambda kv: -kv[1]))
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def set_fraction(self, fraction: float) -> None:
        if abs(fraction - self.fraction) > 1e-6:
            self.fraction = fraction
            self.update()

    def fraction_at(self, x: float) -> float:
        width = max(1.0, self.width() - 2 * BAR_MARGIN_PX)
        return min(1.0, max(0.0, (x - BAR_MARGIN_PX) / width))

    def x_of(self, fraction: float) -> float:
        return BAR_MARGIN_PX + fraction * max(1.0, self.width() - 2 * BAR_MARGIN_PX)

    # ------------------------------------------------------------------ mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.drag_fraction = self.fraction_at(event.position().x())
            self.drag_moved.emit(self.drag_fraction)
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.drag_fraction is not None:
            self.drag_fraction = self.fraction_at(event.position().x())
            self.drag_moved.emit(self.drag_fraction)
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self.drag_fraction is not None and event.button() == Qt.MouseButton.LeftButton:
            fraction = self.fraction_at(event.position().x())
            self.drag_fraction = None
            self.fraction = fraction
            self.update()
            self.seek_requested.emit(fraction)

    # ------------------------------------------------------------------ paint
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = self.height()
        mid = h / 2
        left, right = self.x_of(0.0), self.x_of(1.0)
        groove = QRectF(left, mid - 3, right - left, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#d5d9de"))
        p.drawRoundedRect(groove, 3, 3)
        shown = self.drag_fraction if self.drag_fraction is not None else self.fraction
        played = QRectF(left, mid - 3, self.x_of(shown) - left, 6)
        p.setBrush(QColor("#4e79a7"))
        p.drawRoundedRect(played, 3, 3)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for x, colours, kinds in self.groups():
            # One mark per bucket; its height split among the kinds' colours (the most
            # frequent at the top), wider when it stands for several events.
            width = 2 if len(kinds) <= 1 else 3
            top, bottom = 2.0, h - 2.0
            step = (bottom - top) / len(colours[:3])
            for k, colour in enumerate(colours[:3]):
                p.fillRect(QRectF(x - width / 2, top + k * step, width, step), QColor(colour))
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(QColor("#1f1f1f"), 1.5))
        p.setBrush(QColor("#ffffff"))
        p.drawEllipse(QPointF(self.x_of(shown), mid), 6, 6)
        p.end()


class ReplayTimeline(QWidget):
    """The timeline for replay mode over ``controls`` (see ``ReplayControls``)."""

    def __init__(self, controls: ReplayControls, parent: QWidget | None = None, poll_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.controls = controls
        self.model = controls.timeline
        self.play_button = QToolButton()
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.setMinimumWidth(64)
        self.play_button.clicked.connect(self.toggle_play)
        self.speed_combo = QComboBox()
        for x in SPEEDS:
            self.speed_combo.addItem(f"{x:g}×", x)
        self.speed_combo.setToolTip("Replay speed ([ slower, ] faster)")
        self.speed_combo.currentIndexChanged.connect(self._speed_chosen)
        self.prev_button = QToolButton()
        self.prev_button.setText("◀ Event")
        self.prev_button.setToolTip("Previous event (, or PageUp)")
        self.prev_button.clicked.connect(self.prev_event)
        self.next_button = QToolButton()
        self.next_button.setText("Event ▶")
        self.next_button.setToolTip("Next event (. or PageDown)")
        self.next_button.clicked.connect(self.next_event)
        self.bar = TimelineBar()
        self.bar.seek_requested.connect(self._seek_fraction)
        self.bar.drag_moved.connect(self._dragging)
        self.bar.set_markers([(self.model.fraction(m.ts_utc), event_colour(m.kind)) for m in self.model.markers],
                             [m.kind for m in self.model.markers])
        self.time_label = QLabel("")
        self.time_label.setObjectName("valueLabel")
        self.time_label.setToolTip("Time of the replay position (local)")
        self.elapsed_label = QLabel("")
        self.elapsed_label.setToolTip("Position / total duration of the log")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        for w in (self.play_button, self.speed_combo, self.prev_button, self.next_button, self.time_label):
            layout.addWidget(w)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.elapsed_label)
        self._shortcuts: list[QShortcut] = []
        keys = ((Qt.Key.Key_Space, self.toggle_play), (Qt.Key.Key_BracketLeft, self.slower),
                (Qt.Key.Key_BracketRight, self.faster), (Qt.Key.Key_Comma, self.prev_event),
                (Qt.Key.Key_Period, self.next_event), (Qt.Key.Key_PageUp, self.prev_event),
                (Qt.Key.Key_PageDown, self.next_event))
        for key, slot in keys:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(slot)
            self._shortcuts.append(shortcut)
        if controls.speed in SPEEDS:
            self._select_speed(controls.speed)
        else:  # e.g. --speed 3: play at the nearest speed offered, so the selector tells the truth
            self.set_speed(SPEEDS[self._nearest_speed(controls.speed)])
        self._timer = QTimer(self)
        self._timer.setInterval(poll_ms)
        self._timer.timeout.connect(self.poll)
        self._timer.start()
        self.poll()

    # ------------------------------------------------------------------ controls
    def toggle_play(self) -> None:
        if self.controls.playing:
            self.controls.pause()
        else:
            self.controls.play()
        self.poll()

    def set_speed(self, x: float) -> None:
        self.controls.set_speed(x)
        self._select_speed(x)

    def slower(self) -> None:
        self.speed_combo.setCurrentIndex(max(0, self.speed_combo.currentIndex() - 1))

    def faster(self) -> None:
        self.speed_combo.setCurrentIndex(min(len(SPEEDS) - 1, self.speed_combo.currentIndex() + 1))

    def seek(self, ts_utc: float) -> None:
        self.controls.seek(ts_utc)
        self.poll()

    def next_event(self) -> None:
        self.controls.next_event()
        self.poll()

    def prev_event(self) -> None:
        self.controls.prev_event()
        self.poll()

    @staticmethod
    def _nearest_speed(x: float) -> int:
        return min(range(len(SPEEDS)), key=lambda k: abs(SPEEDS[k] - x))

    def _select_speed(self, x: float) -> None:
        i = self._nearest_speed(x)
        if self.speed_combo.currentIndex() != i:
            self.speed_combo.blockSignals(True)
            self.speed_combo.setCurrentIndex(i)
            self.speed_combo.blockSignals(False)

    def _speed_chosen(self, index: int) -> None:
        if index >= 0:
            self.controls.set_speed(SPEEDS[index])

    def _seek_fraction(self, fraction: float) -> None:
        self.seek(self.model.ts_at(fraction))

    def _dragging(self, fraction: float) -> None:
        ts = self.model.ts_at(fraction)
        self.time_label.setText(f"→ {clock_text(ts)}")
        self.elapsed_label.setText(f"{duration_text(ts - self.model.start_utc)} / "
                                   f"{duration_text(self.model.duration_s)}")

    # ------------------------------------------------------------------ polling
    def poll(self) -> None:
        """Move the bar and the texts to the replay's position (the timer's tick)."""
        playing = self.controls.playing
        self.play_button.setText("❚❚ Pause" if playing else "▶ Play")
        if self.bar.drag_fraction is not None:
            return  # the user is choosing a time: show theirs, not the replay's
        pos = self.controls.position_utc
        self.bar.set_fraction(self.model.fraction(pos))
        self.time_label.setText(clock_text(pos))
        self.elapsed_label.setText(f"{duration_text(pos - self.model.start_utc)} / "
                                   f"{duration_text(self.model.duration_s)}")

    def stop_polling(self) -> None:
        self._timer.stop()

    def marker_fractions(self) -> list[float]:
        return [f for f, _c in self.bar.markers]
