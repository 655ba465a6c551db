"""The page: index.html with the presets and defaults it boots from, its scripts and styles, and Plotly from
the Python package's own copy (no CDN), gzipped once in memory and cached by browsers.

The page's files are package data of `app` (app/page/templates, app/page/static), found with importlib.resources,
so that an installed TrainLab serves them wherever it runs from.
"""

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from app.catalog import groups, presets
from app.deps import RoomsDep, SettingsDep
from app.models import RoomLimits
from app.rooms import is_loopback, viewer_url
from core.config import RunConfig

PAGE = Path(str(resources.files("app") / "page"))
TEMPLATES = PAGE / "templates"
STATIC = PAGE / "static"
VENDOR_CACHE = "public, max-age=86400"
ROOM_LIMITS = RoomLimits.model_json_schema()["properties"]  # the room dialog's bounds and defaults: made once (~0.3 ms)

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    return page(request, None)


def page(request: Request, room: dict | None) -> Response:
    """index.html; room: the lecture room it shows ({code, viewer_url, loopback}), or None."""
    context = {
        "presets": {p.name: p.model_dump(mode="json") for p in presets()},
        "groups": [g.model_dump() for g in groups()],  # a list: in the course's order
        "default_config": RunConfig().model_dump(mode="json"),
        "room_limits": ROOM_LIMITS,
        "room": room,
    }
    return templates.TemplateResponse(request, "index.html", context)


@router.get("/r/{code}", response_class=HTMLResponse)
def room_page(code: str, request: Request, rooms: RoomsDep, settings: SettingsDep) -> Response:
    """The page in a lecture room: the presenter's (with #secret=... in the link) or a viewer's."""
    room = rooms.get(code)  # an unknown room: 404
    viewer = viewer_url(request, settings, room.code)
    return page(request, {"code": room.code, "viewer_url": viewer, "loopback": is_loopback(viewer)})


@dataclass(frozen=True)
class Asset:
    raw: bytes
    gzipped: bytes
    etag: str


@cache
def plotly_asset() -> Asset:
    """plotly.min.js (~4.8 MB; ~1.4 MB gzipped), read and compressed once."""
    raw = (resources.files("plotly") / "package_data" / "plotly.min.js").read_bytes()
    etag = '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'
    return Asset(raw, gzip.compress(raw, compresslevel=6, mtime=0), etag)


@router.get("/vendor/plotly.min.js")
def plotly_js(request: Request) -> Response:
    asset = plotly_asset()
    headers = {"Cache-Control": VENDOR_CACHE, "ETag": asset.etag, "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(asset.gzipped, media_type="text/javascript", headers={**headers, "Content-Encoding": "gzip"})
    return Response(asset.raw, media_type="text/javascript", headers=headers)
