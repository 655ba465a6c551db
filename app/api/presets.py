"""What there is to run: the course's presets, the comparison groups, and the config's schema."""

from fastapi import APIRouter

from app.catalog import groups, presets
from app.models import GroupInfo, PresetInfo
from core.config import RunConfig

router = APIRouter(prefix="/api", tags=["presets"])


@router.get("/presets")
def list_presets() -> list[PresetInfo]:
    return presets()


@router.get("/groups")
def list_groups() -> list[GroupInfo]:
    return groups()


@router.get("/config/schema")
def config_schema() -> dict:
    """RunConfig's JSON schema: every field's default and bounds, for the page's controls."""
    return RunConfig.model_json_schema()
