"""The product surface: HTTP API, web UI and the ``iprwatch`` command line."""
