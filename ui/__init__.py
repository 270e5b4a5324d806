"""ui: Qt widgets only.

No parsing, no device I/O, no SQL. One bridge object is the only place where worker threads
hand records to the GUI thread. May import everything below it.
"""
