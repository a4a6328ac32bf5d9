"""Local fakes of external platforms' APIs (aiohttp on loopback) that record what they receive."""
