"""The pytest plugin, as a user's project meets it: a pytester project with no conftest."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from reference_server.testing import running_server

pytest_plugins = ["pytester"]

USES_THE_CLIENT = """
    from tikmatrix_sdk import FollowConfig, TaskStatus

    def test_a_task_runs(tikmatrix_client):
        created = tikmatrix_client.tasks.create(
            FollowConfig(target_username="@a"), serials=["device_serial_1"]
        )
        task = tikmatrix_client.tasks.wait(created.task_ids[0], timeout=30, poll_interval=0.05)
        assert task.status == TaskStatus.COMPLETED

    def test_the_state_was_reset_between_tests(tikmatrix_client):
        assert tikmatrix_client.tasks.stats().total == 0
"""


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    """Run ``source`` as a project's tests, in this process: these tests are about the
    plugin's fixtures and options, not about a process (a child pytest cost 3 s each)."""
    pytester.makepyfile(test_app=textwrap.dedent(source))
    return pytester.runpytest_inprocess("-p", "no:cacheprovider", *args)


def test_a_project_gets_a_server_and_clients_with_nothing_in_its_conftest(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIKMATRIX_BASE_URL", "http://127.0.0.1:9")  # never the fixtures' server
    result = run(pytester, USES_THE_CLIENT)
    result.assert_outcomes(passed=2)


def test_the_async_client_in_anyio_tests(pytester: pytest.Pytester) -> None:
    source = """
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_async(async_tikmatrix_client):
            license = await async_tikmatrix_client.license.check()
            assert license.plan_name == "Pro"
            assert len(await async_tikmatrix_client.devices.list()) == 5
    """
    run(pytester, source).assert_outcomes(passed=1)


def test_options_set_the_plan_devices_and_store(pytester: pytest.Pytester) -> None:
    source = """
        import pytest
        from tikmatrix_sdk import LicenseError

        def test_starter(tikmatrix_client, tikmatrix_control):
            assert tikmatrix_client.license.check().plan_name == "Starter"
            with pytest.raises(LicenseError):
                tikmatrix_client.tasks.stats()
            tikmatrix_control.set_plan("team")
            assert len(tikmatrix_client.devices.list()) == 2

        def test_reset_brings_the_options_back(tikmatrix_client):
            assert not tikmatrix_client.license.check().api_enabled
            with pytest.raises(LicenseError):
                tikmatrix_client.tasks.stats()
    """
    store = pytester.path / "store.sqlite3"
    result = run(
        pytester,
        source,
        "--tikmatrix-plan=starter",
        "--tikmatrix-devices=2",
        f"--tikmatrix-store={store}",
    )
    result.assert_outcomes(passed=2)
    assert store.exists()


def test_the_options_can_live_in_the_ini_file(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ntikmatrix_devices = 3\n")
    source = """
        def test_three(tikmatrix_client):
            assert len(tikmatrix_client.devices.list()) == 3
    """
    run(pytester, source).assert_outcomes(passed=1)


def test_bad_options_are_usage_errors(pytester: pytest.Pytester) -> None:
    result = run(pytester, USES_THE_CLIENT, "--tikmatrix-plan=gold")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*--tikmatrix-plan must be one of Starter, Pro, Team, Business*"])


def test_an_external_server_is_an_explicit_choice(pytester: pytest.Pytester) -> None:
    source = """
        def test_sees_the_external_servers_devices(tikmatrix_server, tikmatrix_client):
            assert [d.serial for d in tikmatrix_client.devices.list()] == ["device_serial_1"]
    """
    with running_server() as url:
        result = run(pytester, source, f"--tikmatrix-url={url}", "--tikmatrix-devices=1")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"tikmatrix: the fixtures use the server at {url}"])


def test_the_testing_module_imports_without_pytest() -> None:
    code = (
        "import sys\n"
        "sys.modules['pytest'] = None  # as if it were not installed\n"
        "from reference_server.testing import ControlClient, running_server\n"
        "with running_server() as url, ControlClient(url) as control:\n"
        "    print(control.set_plan('business')['plan_name'])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip() == "Business", done.stderr


def run_without_flask(pytester: pytest.Pytester, *args: str) -> str:
    """Run the project's tests in a process where Flask (the server extra) cannot import."""
    pytester.makepyfile(test_app=textwrap.dedent(USES_THE_CLIENT))
    runner = (
        "import sys\n"
        "sys.modules['flask'] = None  # as if the server extra were not installed\n"
        "import pytest\n"
        "sys.exit(pytest.main(['-p', 'no:cacheprovider', '-rs', 'test_app.py', *sys.argv[1:]]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=pytester.path,
    )
    return done.stdout + done.stderr


def test_without_the_server_extra_the_fixtures_skip_saying_why(pytester: pytest.Pytester) -> None:
    output = run_without_flask(pytester)
    assert "2 skipped" in output, output
    assert 'python -m pip install ".[server]" in a clone of the tikmatrix-sdk' in output


def test_an_external_server_needs_no_server_extra(pytester: pytest.Pytester) -> None:
    with running_server() as url:
        output = run_without_flask(pytester, f"--tikmatrix-url={url}")
    assert "2 passed" in output, output


REGISTERS_A_SCRIPT = """
    import sys

    def test_register(tikmatrix_control):
        body = {"command": [sys.executable, "-c", "print(1)"]}
        try:
            tikmatrix_control.request("PUT", "/custom-scripts/mine", body)
        except RuntimeError as refused:
            assert "40301" in str(refused) and "--allow-custom-scripts" in str(refused)
            assert not ALLOWED
        else:
            assert ALLOWED
"""


@pytest.mark.parametrize(
    ("args", "allowed"), [((), False), (("--tikmatrix-custom-scripts",), True)]
)
def test_custom_scripts_are_off_unless_the_suite_asks_for_them(
    pytester: pytest.Pytester, args: tuple[str, ...], allowed: bool
) -> None:
    source = REGISTERS_A_SCRIPT.replace("ALLOWED", str(allowed))
    run(pytester, source, *args).assert_outcomes(passed=1)
