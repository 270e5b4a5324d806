"""drivers: talking to devices.

Transport (serial ports, pyserial URLs), the AT channel, pure per-family parsers, the handset
source, GPS (NMEA, gpsd) and the simulator. No Qt. May import only `fieldapp.model` and
`fieldapp.radio` from the domain (checked by import-linter).
"""
