"""Project configuration: site settings, URLs and the WSGI entry point."""
