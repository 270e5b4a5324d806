"""A street map under the route (issue 18 point 5): tiles from a real HTTP tile server on
loopback (generated PNG tiles), with the polite user agent, the disk cache that works offline,
background loading that never stalls the redraw, and the server stopped mid-way (the map keeps
what it has); an MBTiles package; settings that cannot be used say why in one line."""

from __future__ import annotations

import math
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from fieldapp.store.mbtiles import write_tiles
from fieldapp.tile_sources import TileSetting, XyzSource
from tests.ui import synthetic
from ui.geo import lonlat_to_mercator

pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


def png(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buf, "PNG")
    return bytes(data)


class TileServer:
    """Serves /z/x/y.png (one generated PNG for every tile) on 127.0.0.1, records requests."""

    def __init__(self, tile: bytes, delay_s: float = 0.0) -> None:
        self.tile, self.delay_s = tile, delay_s
        self.requests: list[tuple[str, str]] = []  # (path, user agent)
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, self.headers.get("User-Agent", "")))
                time.sleep(server.delay_s)
                parts = self.path.strip("/").split("/")
                if len(parts) != 3 or not parts[2].endswith(".png"):
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(server.tile)))
                self.end_headers()
                self.wfile.write(server.tile)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="tile-server", daemon=True)
        self.thread.start()

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@pytest.fixture
def server(qtbot):
    s = TileServer(png("#cfe3cf"))
    yield s
    if s.thread.is_alive():
        s.stop()


@pytest.fixture
def map_view(qtbot):
    from ui.history import History
    from ui.map_view import MapView

    view = MapView(History())
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    yield view
    view.close_tiles()


def centre_on(view, lon: float, lat: float, span_m: float = 2000.0) -> None:
    x, y = lonlat_to_mercator(lon, lat)
    view.viewbox.setRange(xRange=(x - span_m / 2, x + span_m / 2), yRange=(y - span_m / 2, y + span_m / 2),
                          padding=0)


def test_web_tiles_come_through_the_cache_with_a_polite_user_agent(qtbot, map_view, server, tmp_path):
    centre_on(map_view, synthetic.LON0, synthetic.LAT0)
    ok = map_view.set_tile_source(TileSetting("xyz", server.template, "© Test Tiles contributors"),
                                  cache_dir=tmp_path)
    assert ok and map_view.tile_error is None
    qtbot.waitUntil(lambda: bool(map_view.tiles.shown_tiles()) and not map_view.tiles.pending(), timeout=10000)
    shown = map_view.tiles.shown_tiles()
    assert len(shown) >= 2
    assert server.requests and all(ua.startswith("fieldapp/") for _p, ua in server.requests)
    assert map_view.attribution.isVisibleTo(map_view) and "Test Tiles" in map_view.attribution.text()
    cached = list(tmp_path.rglob("*.tile"))
    assert len(cached) == len({p for p, _ua in server.requests})
    # Offline in the car: the server is gone, a fresh map reads the prepared area from disk.
    server.stop()
    source = XyzSource(server.template, cache_dir=tmp_path)
    z, x, y = shown[0]
    assert source.tile(z, x, y) == server.tile and source.fetched == 0


def test_the_redraw_never_waits_for_a_tile_and_a_stopped_server_leaves_the_map_as_it_was(
        qtbot, map_view, tmp_path):
    slow = TileServer(png("#dddddd"), delay_s=0.4)
    try:
        centre_on(map_view, synthetic.LON0, synthetic.LAT0)
        map_view.set_tile_source(TileSetting("xyz", slow.template), cache_dir=tmp_path)
        t0 = time.perf_counter()
        map_view.tiles.update()
        centre_on(map_view, synthetic.LON0 + 0.001, synthetic.LAT0)  # a pan while tiles are on the way
        assert time.perf_counter() - t0 < 0.1  # nothing waited for the 0.4 s tiles
        assert map_view.tiles.pending() > 0
        qtbot.waitUntil(lambda: bool(map_view.tiles.shown_tiles()) and not map_view.tiles.pending(), timeout=15000)
        first = map_view.tiles.shown_tiles()
        loaded = map_view.tiles.loaded_count
        slow.stop()  # the network goes away mid-drive
        requests_before = len(slow.requests)
        centre_on(map_view, synthetic.LON0 + 0.2, synthetic.LAT0 + 0.1)  # new ground: tiles that cannot come
        qtbot.waitUntil(lambda: not map_view.tiles.pending(), timeout=15000)
        assert map_view.tiles.shown_tiles() == [] or set(map_view.tiles.shown_tiles()).isdisjoint(first)
        centre_on(map_view, synthetic.LON0 + 0.001, synthetic.LAT0)  # back where we were
        assert map_view.tiles.shown_tiles() == first  # kept in memory, shown without a request
        assert map_view.tiles.loaded_count == loaded and len(slow.requests) == requests_before
        # The failed tiles are not asked again on every pan (a minute's rest each).
        centre_on(map_view, synthetic.LON0 + 0.2, synthetic.LAT0 + 0.1)
        assert not map_view.tiles.pending()
    finally:
        if slow.thread.is_alive():
            slow.stop()


def test_an_mbtiles_package_is_a_tile_source(qtbot, map_view, tmp_path):
    z = 15
    n = 1 << z
    tx = int((synthetic.LON0 + 180) / 360 * n)
    ty = int((1 - math.asinh(math.tan(math.radians(synthetic.LAT0))) / math.pi) / 2 * n)
    tile = png("#e0d8c0")
    path = tmp_path / "area.mbtiles"
    write_tiles(path, [(z, tx + dx, ty + dy, tile) for dx in (-2, -1, 0, 1, 2) for dy in (-2, -1, 0, 1, 2)],
                attribution="© Area Maps")
    centre_on(map_view, synthetic.LON0, synthetic.LAT0, span_m=1500.0)
    assert map_view.set_tile_source(TileSetting("mbtiles", str(path)))
    qtbot.waitUntil(lambda: bool(map_view.tiles.shown_tiles()), timeout=5000)
    assert {k[0] for k in map_view.tiles.shown_tiles()} == {z}
    assert "Area Maps" in map_view.attribution.text()


@pytest.mark.parametrize("setting, message", [
    (TileSetting("xyz", "ftp://tiles.example/{z}/{x}/{y}.png"), "not a tile URL template"),
    (TileSetting("folder", "/nonexistent/tiles"), "no such folder"),
    (TileSetting("mbtiles", "/nonexistent/area.mbtiles"), "no such file"),
])
def test_a_tile_setting_that_cannot_be_used_says_why(qtbot, map_view, setting, message, tmp_path):
    assert not map_view.set_tile_source(setting)
    assert message in map_view.tile_error and "\n" not in map_view.tile_error


def test_a_file_that_is_not_mbtiles_is_refused_in_one_line(qtbot, map_view, tmp_path):
    bad = tmp_path / "notes.mbtiles"
    bad.write_text("not sqlite")
    assert not map_view.set_tile_source(TileSetting("mbtiles", str(bad)))
    assert "not an MBTiles file" in map_view.tile_error


def test_the_window_remembers_the_tile_setting(qtbot, window, server, tmp_path, monkeypatch, settings_path):
    monkeypatch.setenv("FIELDAPP_TILE_CACHE", str(tmp_path))
    assert window.set_tile_setting(TileSetting("xyz", server.template, "© Test"))
    window.close()
    from ui.main_window import MainWindow
    from ui.settings import WindowSettings

    again = MainWindow(WindowSettings(settings_path))
    qtbot.addWidget(again)
    assert again.tile_setting() == TileSetting("xyz", server.template, "© Test")
    assert again.map_view.tiles.attribution == "© Test"
    again.close()


def test_the_legend_is_compact_movable_and_never_hides_a_site(qtbot, map_view):
    from fieldapp.model import PlanCell

    corners = {"SW": (52.360, 4.860), "NW": (52.380, 4.860), "NE": (52.380, 4.920)}  # SE is free
    map_view.set_plan([PlanCell(name, lat=lat, lon=lon, ci=i + 1) for i, (name, (lat, lon)) in enumerate(corners.items())])
    map_view.fit_all()
    assert map_view.legend_covers() < 50  # no site under it
    map_view.legend.anchor(*map_view.LEGEND_CORNERS[0])  # the usual bottom-left corner ...
    assert map_view.legend_covers() >= 50  # ... would hide the SW site
    legend_px = map_view.legend.boundingRect()
    assert legend_px.height() < 0.6 * map_view.viewbox.height()  # compact: the map stays visible
    assert map_view.legend.flags() & map_view.legend.GraphicsItemFlag.ItemIsMovable or \
        hasattr(map_view.legend, "mouseDragEvent")  # pyqtgraph legends are dragged by the mouse
