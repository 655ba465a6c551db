"""What there is to run: the course's presets, the comparison groups, and the config's schema."""

from functools import cache

from fastapi import APIRouter

from app.models import GroupInfo, PresetInfo
from core.config import RunConfig
from core.presets import DESCRIPTIONS, GROUPS, PRESETS, preset_config

router = APIRouter(prefix="/api", tags=["presets"])


@cache
def presets() -> list[PresetInfo]:
    group_of = {name: group for group, names in GROUPS.items() for name in names}
    return [
        PresetInfo(name=name, description=DESCRIPTIONS[name], group=group_of.get(name), config=preset_config(name))
        for name in PRESETS
    ]


def groups() -> list[GroupInfo]:
    return [GroupInfo(name=name, presets=names) for name, names in GROUPS.items()]


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
