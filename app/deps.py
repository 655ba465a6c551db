"""What routes share, as dependencies: the settings and the run registry the lifespan made."""

from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from app.cluster import ClusterSweeps
from app.live.registry import Registry
from app.looplag import LoopLag
from app.rooms import Rooms
from app.settings import Settings
from app.store import Store


def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


def get_registry(connection: HTTPConnection) -> Registry:
    return connection.app.state.registry


def get_store(connection: HTTPConnection) -> Store:
    return connection.app.state.store


def get_rooms(connection: HTTPConnection) -> Rooms:
    return connection.app.state.rooms


def get_cluster(connection: HTTPConnection) -> ClusterSweeps | None:
    return connection.app.state.cluster


def get_loop_lag(connection: HTTPConnection) -> LoopLag:
    return connection.app.state.loop_lag


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegistryDep = Annotated[Registry, Depends(get_registry)]
StoreDep = Annotated[Store, Depends(get_store)]
RoomsDep = Annotated[Rooms, Depends(get_rooms)]
ClusterDep = Annotated[ClusterSweeps | None, Depends(get_cluster)]
LoopLagDep = Annotated[LoopLag, Depends(get_loop_lag)]
