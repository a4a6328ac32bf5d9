"""The web app (aiohttp, :8080): demo employer page, widget files, and later the helpdesk."""
