"""flows/engine.py: Prefect's flow-run heartbeats are off only where nothing can read them (an ephemeral engine),
and a frequency the user set is never overridden."""

from __future__ import annotations

from prefect.settings import get_current_settings, temporary_settings

from flows.engine import HEARTBEAT, engine_settings, heartbeats_serve_no_one

SERVER = "http://127.0.0.1:4200/api"


def frequency() -> int | None:
    return get_current_settings().flows.heartbeat_frequency


def test_an_ephemeral_engine_runs_flows_without_heartbeats_and_the_setting_comes_back() -> None:
    with temporary_settings(restore_defaults=["api.url"]):
        default = frequency()
        assert default is not None  # Prefect's own default is on; if it ever is not, this module has no work
        assert heartbeats_serve_no_one()
        with engine_settings():
            assert frequency() is None
        assert frequency() == default


def test_against_a_server_heartbeats_stay_as_configured() -> None:
    """A server outlives the run and can mark a run whose process died as crashed: that is what heartbeats are for."""
    with temporary_settings(updates={"api.url": SERVER}):
        default = frequency()
        assert not heartbeats_serve_no_one()
        with engine_settings():
            assert frequency() == default


def test_a_frequency_the_user_set_is_kept_even_on_a_local_engine() -> None:
    with temporary_settings(updates={HEARTBEAT: 60}, restore_defaults=["api.url"]):
        assert not heartbeats_serve_no_one(local=True)
        with engine_settings(local=True):
            assert frequency() == 60


def test_the_benchmark_can_say_its_engine_is_local_though_it_has_an_address() -> None:
    with temporary_settings(updates={"api.url": SERVER}), engine_settings(local=True):
        assert frequency() is None
