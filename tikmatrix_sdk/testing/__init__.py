"""A stand-in for TikMatrix in unit tests that must not start a server: a respx mock router.

:class:`MockTikMatrix` intercepts the SDK's requests (and any other httpx client's) to one
base URL and answers them from a small in-memory TikMatrix, consistent across calls: a
created task can be got, listed, stopped, retried and deleted; its counts show in the stats.
Tasks stay pending until the test moves them (:meth:`MockTikMatrix.finish`,
:meth:`~MockTikMatrix.run_all`), or finish as soon as they are read with
``auto_complete=True``. Any endpoint can be made to answer an error code or to fail in
transport, and every call is recorded.

>>> from tikmatrix_sdk import FollowConfig, TikMatrix
>>> from tikmatrix_sdk.testing import MockTikMatrix
>>> with MockTikMatrix() as mock, TikMatrix() as client:
...     follow = FollowConfig(target_username="@a")
...     created = client.tasks.create(follow, serials=["device_serial_1"])
...     mock.finish(created.task_ids[0], remark="followed")
...     print(client.tasks.get(created.task_ids[0]).remark, len(mock.calls))
followed 2

Needs respx: the ``testing`` extra (``python -m pip install ".[testing]"`` in a clone of the
repository; the package is not on PyPI yet).
"""

from ._mock import Call, MockTikMatrix

__all__ = ["Call", "MockTikMatrix"]

for _public in (Call, MockTikMatrix):  # where users import them from
    _public.__module__ = __name__
del _public
