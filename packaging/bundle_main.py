"""Entry point of the desktop bundle (PyInstaller): the same command line as ``fieldapp``."""

import sys

from fieldapp.cli import main

if __name__ == "__main__":
    sys.exit(main())
