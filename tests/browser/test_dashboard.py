"""The dashboard in a real browser: headless Chromium through Playwright, tasks made by the SDK.

Chromium is Debian's ``chromium`` package where it is installed, else Playwright's own
download; without either (or without Playwright), these tests are skipped, saying why.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reference_server import ServerConfig
from reference_server.testing import running_server
from tikmatrix_sdk import FollowConfig, PostConfig, TaskStatus, TikMatrix

from ..every_script import ACTIONS, every_script
from ..phones import virtual_phones_server
from ..waiting import wait_until

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed")

SHOTS = os.environ.get("TIKMATRIX_SAVE_SCREENSHOTS")  # where the docs' pictures come from


def _chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        path = _chromium_path()
        try:
            if path:
                launched = driver.chromium.launch(executable_path=path, args=["--no-sandbox"])
            else:
                launched = driver.chromium.launch()
        except Exception as error:  # no browser at all on this machine
            pytest.skip(
                f"no Chromium: install the chromium package, or `playwright install` ({error})"
            )
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with virtual_phones_server(tmp_path_factory, "dashboard", 1, element_timeout=5.0) as url:
        yield url


@pytest.fixture
def client(server: str) -> Iterator[TikMatrix]:
    httpx.post(f"{server}/_control/reset", json={}).raise_for_status()
    with TikMatrix(server) as sdk:
        yield sdk


def _open(browser: Any, url: str, **options: Any) -> tuple[Any, Any, list[str]]:
    """A page at ``url`` and the list its JavaScript errors and console errors land in."""
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 800}, **options})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(f"page error: {error}"))
    opened.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    opened.goto(url)
    return context, opened, errors


@pytest.fixture
def page(browser: Any, server: str, client: TikMatrix) -> Iterator[Any]:
    context, opened, errors = _open(browser, server)
    yield opened
    context.close()
    assert errors == []  # any script error on the page fails the test that showed it


def expect(locator: Any) -> Any:
    return playwright.expect(locator)


def test_the_page_shows_the_server(page: Any, server: str) -> None:
    expect(page.locator('[data-fact="plan"] dd')).to_have_text("Pro")
    expect(page.locator('[data-fact="devices"] dd')).to_have_text("virtual")
    expect(page.locator('[data-fact="task store"] dd')).to_contain_text("tasks.sqlite3")
    expect(page.locator(".device")).to_have_count(1)
    expect(page.locator(".device .tag").first).to_have_text("virtual")
    expect(page.locator("#faults li")).to_have_text("none")


def test_tasks_appear_and_change_status_live(page: Any, client: TikMatrix) -> None:
    (serial,) = [device.serial for device in client.devices.list()]
    later = client.tasks.create(
        FollowConfig(target_username="@later"), serials=[serial], start_time="23:59"
    ).task_ids[0]
    row = page.locator(f'tr[data-task-id="{later}"]')
    expect(row.locator(".status")).to_have_text("pending")
    now = client.tasks.create(FollowConfig(target_username="@nasa"), serials=[serial]).task_ids[0]
    expect(page.locator(f'tr[data-task-id="{now}"] .status')).to_have_text(
        "completed", timeout=30_000
    )
    expect(page.locator('[data-stat="completed"] b')).to_have_text("1")
    client.tasks.stop(later)
    expect(row.locator(".status")).to_have_text("failed")
    row.click()  # its details: the configuration, times and remark
    details = page.locator(f'tr[data-details-of="{later}"]')
    expect(details).to_contain_text('"target_username": "@later"')
    expect(details).to_contain_text('"remark": "stopped by user"')
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / "dashboard.png"), full_page=True)


def test_the_list_filters(page: Any, client: TikMatrix) -> None:
    (serial,) = [device.serial for device in client.devices.list()]
    waiting = client.tasks.create(
        FollowConfig(target_username="@x"), serials=[serial], start_time="23:59"
    ).task_ids[0]
    done = client.tasks.create(FollowConfig(target_username="@y"), serials=[serial]).task_ids[0]
    client.tasks.wait(done, timeout=30, poll_interval=0.05)
    expect(page.locator("tr.task")).to_have_count(2)
    page.select_option('select[name="status"]', "2")
    expect(page.locator("tr.task")).to_have_count(1)
    expect(page.locator(f'tr[data-task-id="{done}"]')).to_be_visible()
    page.select_option('select[name="status"]', "0")
    expect(page.locator("tr.task")).to_have_count(1)
    expect(page.locator(f'tr[data-task-id="{waiting}"]')).to_be_visible()
    page.select_option('select[name="status"]', "")
    page.select_option('select[name="script_name"]', "post")
    expect(page.locator("tr.task")).to_have_count(0)


def _screen_digest(page: Any) -> str:
    data = page.evaluate(
        """async () => {
            const img = document.querySelector('.device img');
            const answer = await fetch(img.src);
            return Array.from(new Uint8Array(await answer.arrayBuffer()));
        }"""
    )
    return hashlib.sha256(bytes(data)).hexdigest()


def test_a_phones_screen_changes_after_a_task_runs_on_it(page: Any, client: TikMatrix) -> None:
    (serial,) = [device.serial for device in client.devices.list()]
    page.wait_for_function("document.querySelector('.device img')?.naturalWidth > 0")
    before = _screen_digest(page)  # whatever an earlier test left on the phone
    # a user no other test opens: the profile it ends on was never drawn before
    follow = FollowConfig(target_username="@screen_changes_user")
    task = client.tasks.create(follow, serials=[serial])
    client.tasks.wait(task.task_ids[0], timeout=30, poll_interval=0.05)
    expect(page.locator(".device [data-records] li").first).to_contain_text("follow (tiktok)")
    # the screens are fetched again every 2 s: wait for the one after the task
    wait_until(
        lambda: (
            page.evaluate("document.querySelector('.device img')?.complete")
            and _screen_digest(page) != before
        ),
        "the phone's new screen on the page",
        timeout=20,
        interval=0.2,
    )
    expect(page.locator(".device [data-shell] li").first).to_be_visible()


def test_narrow_and_dark(browser: Any, server: str, client: TikMatrix) -> None:
    context, narrow, errors = _open(
        browser, server, viewport={"width": 380, "height": 800}, color_scheme="dark"
    )
    expect(narrow.locator('[data-fact="plan"] dd')).to_have_text("Pro")
    overflow = narrow.evaluate("document.scrollingElement.scrollWidth - innerWidth")
    assert overflow <= 0  # nothing sticks out sideways; the table scrolls in its own box
    background = narrow.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 20, 26)"
    if SHOTS:
        narrow.screenshot(path=str(Path(SHOTS) / "dashboard-narrow-dark.png"))
    context.close()
    assert errors == []


def test_the_page_is_for_loopback_and_its_data_for_the_page(server: str) -> None:
    foreign = httpx.get(server, headers={"Host": "evil.example"})
    assert foreign.status_code == 403
    embedded = httpx.get(f"{server}/dashboard/api/state", headers={"Sec-Fetch-Site": "cross-site"})
    assert embedded.status_code == 403
    linked = httpx.get(server, headers={"Sec-Fetch-Site": "cross-site"})
    assert linked.status_code == 200  # another site may link to the page itself
    assert httpx.post(f"{server}/").status_code == 405  # read-only


@pytest.fixture(scope="module")
def simulated_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("dashboard-simulated") / "tasks.sqlite3"
    with running_server(ServerConfig(db=db, devices=2, poll_interval=0.05)) as url:
        yield url


def test_done_lately_reads_at_a_glance_and_the_screen_reads_at_a_laptops_width(
    browser: Any, simulated_server: str
) -> None:
    """#34, item 11: what a task set, not its options' JSON; a screen large enough to read;
    one dot on the page, and it says whether the page reaches the server."""
    httpx.post(f"{simulated_server}/_control/reset", json={}).raise_for_status()
    with TikMatrix(simulated_server) as sdk:
        post = PostConfig(
            captions="Launch day", material_list=["C:/Videos/launch.mp4"], placement="story",
            upload_wait_time=5,
        )  # fmt: skip
        created = sdk.tasks.create(post, serials=["device_serial_1"])
        sdk.tasks.wait(created.task_ids[0], timeout=30, poll_interval=0.05)
    context, page, errors = _open(browser, simulated_server)
    try:
        card = page.locator('.device[data-serial="device_serial_1"]')
        line = card.locator("[data-records] li").first
        expect(line).to_have_text(
            "post · task 1 · media: C:/Videos/launch.mp4 · caption: Launch day · "
            "upload_wait_time: 5, placement: story"
        )  # set away from their defaults; the caption and media once; no JSON
        width = card.locator("img").evaluate("img => img.getBoundingClientRect().width")
        assert width >= 250  # 16rem at a 1280-pixel window
        expect(page.locator("#connection")).to_have_text(re.compile("^updated "))
        dots = page.evaluate(
            """[...document.querySelectorAll('*')].filter((node) =>
                 getComputedStyle(node, '::before').borderRadius === '50%').map((node) =>
                 [node.id, getComputedStyle(node, '::before').backgroundColor])"""
        )
        assert dots == [["connection", "rgb(21, 128, 61)"]]  # green: the page is live
    finally:
        context.close()
    assert errors == []


def _whole(page: Any, task_id: int, action: str, serial: str) -> None:
    """Every section of the page is drawn, and shows the task and what the device did."""
    expect(page.locator("#connection")).to_have_text(re.compile("^updated "))
    expect(page.locator("#server [data-fact]")).to_have_count(6)
    expect(page.locator("#stats li")).to_have_count(5)
    expect(page.locator(f'tr[data-task-id="{task_id}"] .status')).to_have_text("completed")
    card = page.locator(f'.device[data-serial="{serial}"]')
    expect(card.locator("[data-records] li").first).to_have_text(re.compile(f"^({action}) "))
    expect(card.locator("figcaption[data-screen]")).not_to_be_empty()
    expect(page.locator("#faults li")).to_have_count(1)


@pytest.mark.parametrize("kind", ["simulated", "virtual"])
def test_every_script_on_every_kind_of_device_keeps_the_page_whole(
    browser: Any, request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    url = request.getfixturevalue("server" if kind == "virtual" else "simulated_server")
    httpx.post(f"{url}/_control/reset", json={}).raise_for_status()
    context, page, errors = _open(browser, url)
    try:
        with TikMatrix(url) as sdk:
            account = next(a for a in sdk.accounts.iter() if a.platform == "tiktok")
            for config in every_script(tmp_path):
                created = sdk.tasks.create(config, usernames=[account.username])
                task = sdk.tasks.wait(created.task_ids[0], timeout=60, poll_interval=0.05)
                assert task.status is TaskStatus.COMPLETED, task.remark
                _whole(page, task.id, ACTIONS[config.script_name], account.device or "")
                assert errors == [], config.script_name
    finally:
        context.close()


def _status_when_the_state_route_answers(browser: Any, url: str, **answer: Any) -> str:
    """What the page's status line says when ``/dashboard/api/state`` answers ``answer``."""
    context, page, errors = _open(browser, url)
    page.route("**/dashboard/api/state*", lambda route: route.fulfill(**answer))
    try:
        expect(page.locator("#connection")).to_have_class("down", timeout=10_000)
        status: str = page.locator("#connection").inner_text()
    finally:
        context.close()
    if "could not draw" in status:  # the page also says why in the console
        assert any("could not draw the server's answer" in error for error in errors), errors
    return status


def test_a_drawing_error_is_not_called_a_connection_error(browser: Any, server: str) -> None:
    broken = {"code": 0, "message": "success", "data": {"server": {}}}
    status = _status_when_the_state_route_answers(browser, server, json=broken)
    assert status.startswith("this page could not draw the server's answer (")
    assert "cannot reach" not in status


def test_an_answer_that_is_not_the_apis_says_so(browser: Any, server: str) -> None:
    status = _status_when_the_state_route_answers(
        browser, server, status=502, content_type="text/html", body="<h1>Bad Gateway</h1>"
    )
    assert status.startswith("the server answered HTTP 502 with something that is not")


def test_an_error_code_is_shown_as_the_servers(browser: Any, server: str) -> None:
    refused = {"code": 40001, "message": "page must be between 1 and 1000000", "data": None}
    status = _status_when_the_state_route_answers(browser, server, status=400, json=refused)
    assert status.startswith("the server answered an error: 40001 page must be")
