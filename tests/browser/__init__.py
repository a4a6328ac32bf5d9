"""The website widget in a real headless Chromium (Debian's), driven by Playwright."""
