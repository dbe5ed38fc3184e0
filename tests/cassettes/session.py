"""A session of an app that touches every endpoint: what the shipped cassette recorded.

``python -m tests.cassettes.session URL`` plays it against the TikMatrix (or the recording
proxy) at URL. ``tests/cassettes/reference-server.json`` is this session, recorded through
``tikmatrix record`` in front of a reference server; the tests record it again and replay it.
"""

from __future__ import annotations

import contextlib
import sys

from tikmatrix_sdk import (
    APIError,
    FollowConfig,
    PostConfig,
    TikMatrix,
)


def play(base_url: str) -> None:
    """Call every endpoint once or more, errors included."""
    with TikMatrix(base_url, max_retries=0) as client:
        client.license.check()
        client.accounts.list(page_size=5)
        follow = client.tasks.create(
            FollowConfig(target_username="@someone"), serials=["device_serial_1"]
        )
        post = client.tasks.create(
            PostConfig(captions="hello", material_list=["C:/v.mp4"]),
            usernames=["@user2"],
            start_time="23:59",
        )
        client.tasks.get(follow.task_ids[0])
        client.tasks.list(serial="device_serial_1")
        client.tasks.stats()
        client.tasks.stop(post.task_ids[0])
        client.tasks.retry(post.task_ids[0])
        client.tasks.retry_all()
        client.tasks.delete(post.task_ids[0])
        client.tasks.delete_many([follow.task_ids[0], 999_999])
        for mistake in (
            lambda: client.tasks.get(999_999),
            lambda: client.post("/task", body={"script_name": "dance", "script_config": {}}),
            lambda: client.post("/task", body={"script_name": "follow"}),
        ):
            with contextlib.suppress(APIError):
                mistake()
        client.devices.list()
        with client.devices.lease("device_serial_3", label="recording", ttl=60) as phone:
            phone.info()
            phone.hierarchy()
            phone.screenshot()
            with contextlib.suppress(APIError):
                phone.adb("shell", "ls")
            client.devices.leases()


if __name__ == "__main__":
    play(sys.argv[1])
