"""`python main.py [IMAGE]` opens the Studio desktop app."""

import sys

from studio.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
