"""The server's start-up objects are frozen out of the garbage collector (app/main.py lifespan): a full
collection under load then walks what the watchers made, not every module and model (~100 ms of pause)."""

import gc

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings


def test_start_up_freezes_what_it_made(tmp_path):
    gc.unfreeze()
    settings = Settings.from_env({"TRAINLAB_DATA_DIR": str(tmp_path), "TRAINLAB_WORKERS": "1"})
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/api/health").status_code == 200
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()
