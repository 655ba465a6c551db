"""What there is to run: the course's presets and comparison groups, as the API and the page describe them."""

from functools import cache

from app.models import GroupInfo, PresetInfo
from core.presets import DESCRIPTIONS, GROUP_TITLES, GROUPS, PRESETS, TITLES, preset_config


@cache
def presets() -> list[PresetInfo]:
    group_of = {name: group for group, names in GROUPS.items() for name in names}
    return [
        PresetInfo(
            name=name,
            title=TITLES[name],
            description=DESCRIPTIONS[name],
            group=group_of.get(name),
            config=preset_config(name),
        )
        for name in PRESETS
    ]


def groups() -> list[GroupInfo]:
    return [GroupInfo(name=name, title=GROUP_TITLES[name], presets=names) for name, names in GROUPS.items()]
