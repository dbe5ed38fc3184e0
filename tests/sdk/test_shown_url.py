"""A URL's user and password are sent, never shown (#33: passwords in URLs were printed)."""

from __future__ import annotations

import httpx
import pytest
from click.testing import CliRunner

from reference_server.testing import free_port
from tikmatrix_sdk import APIConnectionError, TikMatrix
from tikmatrix_sdk._shown_url import shown_url
from tikmatrix_sdk.cli import cli
from tikmatrix_sdk.fleet import Fleet, Host

SECRET = "S3CRET"


def _closed() -> str:
    """A loopback URL with a user and password, where nothing listens."""
    return f"http://admin:{SECRET}@127.0.0.1:{free_port()}"


def test_shown_url_drops_the_user_info_and_keeps_the_rest() -> None:
    assert shown_url(f"http://admin:{SECRET}@pc-2:50809/api/v1/task?x=1") == (
        "http://pc-2:50809/api/v1/task?x=1"
    )
    assert shown_url("http://pc-2:50809") == "http://pc-2:50809"
    assert SECRET not in shown_url(f"http://a:{SECRET}@[not a url")


def test_errors_and_reprs_show_no_password() -> None:
    url = _closed()
    with TikMatrix(url, max_retries=0, timeout=2) as client:
        assert SECRET not in repr(client)
        with pytest.raises(APIConnectionError) as caught:
            client.tasks.stats()
        assert SECRET not in str(caught.value)
        assert SECRET not in repr(caught.value)
    host = Host(name="pc1", url=url)
    assert SECRET not in repr(host)
    with Fleet([host]) as fleet:
        assert SECRET not in repr(fleet)
    assert httpx.URL(host.url).password == SECRET  # still sent as given


@pytest.mark.parametrize(
    "args",
    [
        ["--hosts", "a={url}", "tasks", "stats"],
        ["--base-url", "{url}", "tasks", "stats"],
        ["--base-url", "{url}", "tasks", "get", "1"],
    ],
)
def test_the_command_line_prints_no_password(args: list[str]) -> None:
    url = _closed()
    runner = CliRunner()
    done = runner.invoke(cli, ["--timeout", "2", *(a.format(url=url) for a in args)])
    assert done.exit_code != 0
    assert "127.0.0.1" in done.output  # the error names the host...
    assert SECRET not in done.output  # ...without the password


def test_a_usage_error_comes_before_any_host_is_read(tmp_path: object) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["--hosts", "no-such-hosts-file.toml", "tasks", "delete", "5"])
    assert done.exit_code == 2
    assert "HOST:ID" in done.output
    done = runner.invoke(
        cli,
        [
            "--hosts",
            "no-such.toml",
            "tasks",
            "create",
            "follow",
            "--set",
            "target_username=@a",
            "--min-interval",
            "1",
        ],
    )
    assert done.exit_code == 2
    assert "--min-interval" in done.output
