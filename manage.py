#!/usr/bin/env python3
"""Django's manage.py for this repository; `programme-tracker` is the same with `--site`."""

from programme_tracker.cli import main

if __name__ == "__main__":
    main()
