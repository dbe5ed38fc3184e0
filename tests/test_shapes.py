"""The answers' shapes, written once in the contract, and what is drawn from them."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema

from tikmatrix_sdk import models
from tikmatrix_sdk._contract import shapes
from tikmatrix_sdk._contract.lifecycle import STATUS_NAMES
from tikmatrix_sdk._contract.schemas import SCHEMAS


def test_every_answer_schema_is_its_shapes() -> None:
    for name, shape in shapes.SHAPES.items():
        assert SCHEMAS[name] == shapes.schema_of(shape), name


def test_the_sdk_models_are_the_shapes_or_add_only_behaviour() -> None:
    import attrs

    for name in models.__all__:
        model = getattr(models, name)
        if name in shapes.EXTENDED:
            base = getattr(shapes, name)
            assert issubclass(model, base)
            assert [f.name for f in attrs.fields(model)] == [f.name for f in attrs.fields(base)]
        else:
            assert model is getattr(shapes, name)


def test_the_stats_name_the_statuses_in_the_order_of_their_codes() -> None:
    # The dashboard reads the statuses' names from the TaskStats schema in this order.
    assert shapes.names(shapes.TaskStats)[1:] == tuple(STATUS_NAMES.values())
    assert list(STATUS_NAMES) == [status.value for status in shapes.TaskStatus]


def test_a_written_task_is_valid_and_reads_back_the_same() -> None:
    when = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    task = models.Task(
        id=7,
        status=models.TaskStatus.FAILED,
        script_name="follow",
        source=models.TaskSource.API,
        scheduled_at=when,
        created_at=when,
        remark="stopped by user",
    )
    written = shapes.write(shapes.Task, task, time=lambda moment: moment and moment.isoformat())
    assert written == task.to_dict()
    assert list(written) == list(shapes.names(shapes.Task))
    jsonschema.validate(written, {**SCHEMAS["Task"], "additionalProperties": False})
    from tikmatrix_sdk._converter import structure

    assert structure(written, models.Task) == task


def test_a_write_takes_only_the_shapes_fields_from_a_row() -> None:
    row = dict.fromkeys(shapes.names(shapes.Account)) | {"username": "@a", "secret": 1}
    assert "secret" not in shapes.write(shapes.Account, row)


def test_the_shapes_the_sdk_extends_keep_their_own_names() -> None:
    import pickle

    assert shapes.Task.__module__ == "tikmatrix_sdk._contract.shapes"
    assert models.Task.__module__ == "tikmatrix_sdk"
    assert models.Lease is shapes.Lease
    assert shapes.Lease.__module__ == "tikmatrix_sdk"
    task = models.Task(id=1, status=models.TaskStatus.PENDING)
    assert pickle.loads(pickle.dumps(task)) == task
    base = shapes.Task(id=1, status=shapes.TaskStatus.PENDING)
    assert pickle.loads(pickle.dumps(base)) == base
