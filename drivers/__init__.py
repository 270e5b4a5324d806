"""drivers: talking to devices.

Transport (serial ports, pyserial URLs), the AT channel, pure per-family parsers, the handset
source, GPS (NMEA, gpsd) and the simulator. No Qt. May import only the kernel
(``fieldapp.model``, ``radio``, ``nmea``, ``device``, ``buffer``); never ``logs`` or the store
(the layers contract in pyproject.toml). The errors the domain catches (``DeviceGone``,
``AtError``, ``Unsupported``) are defined in ``fieldapp.device`` and raised here.
"""
