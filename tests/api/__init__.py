"""Tests of the HTTP API (in process and against a real uvicorn)."""
