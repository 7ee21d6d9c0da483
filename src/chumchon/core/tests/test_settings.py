"""Settings come from the environment with safe production defaults."""

from __future__ import annotations

import os
import subprocess
import sys


def _run_check(env_overrides: dict[str, str], tmp_path: object) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("CHUMCHON_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"CHUMCHON_DATA_DIR": str(tmp_path), "PYTHAINLP_OFFLINE": "1", **env_overrides})
    return subprocess.run(
        [sys.executable, "-m", "chumchon", "check", "--deploy", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_start_without_secret_key_refuses_with_clear_message(tmp_path):
    result = _run_check({}, tmp_path)
    assert result.returncode != 0
    assert "CHUMCHON_SECRET_KEY is not set" in result.stderr


def test_production_start_with_secret_key_runs_with_debug_off(tmp_path):
    result = _run_check({"CHUMCHON_SECRET_KEY": "k7-Qz0p!vR3mW9sT2yL8nB4cX6dF1gH5jK0aZ"}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked(settings):
    from chumchon.settings import env_bool

    assert env_bool("CHUMCHON_SURELY_UNSET_VARIABLE") is False
    os.environ["CHUMCHON_SURELY_UNSET_VARIABLE"] = "1"
    try:
        assert env_bool("CHUMCHON_SURELY_UNSET_VARIABLE") is True
    finally:
        del os.environ["CHUMCHON_SURELY_UNSET_VARIABLE"]


def test_time_zone_and_language_are_thai(settings):
    assert settings.TIME_ZONE == "Asia/Bangkok"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "th"
