"""The installed distribution: one import package, qkv (plus its dist-info), with the banks and the
grader's data files inside it; `python -m qkv` and `qkv --version` work."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    source = folder / "source"  # a copy: building in place would leave build/ and *.egg-info in the checkout
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "build", "*.egg-info", "__pycache__",
                                                                "corpus"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(folder)], check=True, capture_output=True)
    (built,) = folder.glob("qkv-*.whl")
    return built


@pytest.mark.slow
def test_the_wheel_has_one_top_level_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {name.split("/")[0] for name in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"qkv"}, top
    for inside in ("qkv/cli.py", "qkv/grader/worker.py", "qkv/grader/exercises/attention.py",
                   "qkv/reference/attention.py", "qkv/questions/attention.yaml", "qkv/questions/decoding.yaml",
                   "qkv/quiz/app.py", "qkv/mock/app.py", "qkv/grader/texts/general.yaml",
                   "qkv/grader/texts/attention.yaml", "qkv/__main__.py"):
        assert inside in names, inside
    assert not any(name.startswith("qkv/tests") or "/corpus/" in name for name in names)


def test_python_m_qkv_and_version():
    done = subprocess.run([sys.executable, "-m", "qkv", "--version"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("qkv, version ")
    listed = subprocess.run([sys.executable, "-m", "qkv", "list"], cwd=ROOT, capture_output=True, text=True)
    assert listed.returncode == 0 and "attention.sdpa" in listed.stdout
    checkout = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--version"], capture_output=True, text=True)
    assert checkout.returncode == 0 and checkout.stdout == done.stdout


@pytest.mark.slow
def test_the_installed_copy_grades_and_quizzes_outside_the_checkout(wheel, tmp_path):
    """Installed (not editable), run from elsewhere: the banks, texts and worker come from the package, and
    the checkout's own folders are not what it imports."""
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True)
    env = {**os.environ, "PYTHONPATH": str(target), "QKV_HOME": str(tmp_path / "home")}
    where = subprocess.run([sys.executable, "-c", "import qkv.grader.catalogue as c; print(c.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True)
    assert where.stdout.strip().startswith(str(target)), where
    solution = sorted((ROOT / "tests" / "corpus" / "masking.causal_mask").glob("correct_*.py"))[0]
    graded = subprocess.run([sys.executable, "-m", "qkv", "grade", "masking.causal_mask", str(solution),
                             "--max-examples", "5"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert graded.returncode == 0 and "PASSED" in graded.stdout, graded.stdout + graded.stderr
    quiz = subprocess.run([sys.executable, "-m", "qkv", "quiz", "--count", "1", "--seed", "1", "--lang", "en"],
                          cwd=tmp_path, env=env, input="q\n", capture_output=True, text=True)
    assert quiz.returncode == 0 and "Question 1/1" in quiz.stdout, quiz.stdout + quiz.stderr
