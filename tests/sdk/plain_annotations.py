"""A resource written without postponed annotations, as a user extending the SDK may write one.

Its annotations are types, not text: the signatures must read them as well.
"""

from typing_extensions import Unpack

from tikmatrix_sdk import RequestOptions, Task
from tikmatrix_sdk._binders import operation, stream
from tikmatrix_sdk._effects import Emit, Program, Stream
from tikmatrix_sdk._endpoint import Endpoint
from tikmatrix_sdk._resource import M, Resource


class Extra(Resource[M]):
    """Two operations, annotated with types."""

    @operation
    def one(self, task_id: int, **options: Unpack[RequestOptions]) -> Program[Task]:
        """One task."""
        return (yield from self._call(Endpoint("GET", f"/task/{task_id}", Task)))

    @stream
    def each(self, **options: Unpack[RequestOptions]) -> Stream[Task]:
        """The first task, streamed."""
        task = yield from self._call(Endpoint("GET", "/task/1", Task))
        yield Emit(task)
