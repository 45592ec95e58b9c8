"""The JSON API (FastAPI): every route under /api, one error envelope, money as *_pence integers."""
