"""Every envelope code maps to its exception, whatever the HTTP status; odd bodies too."""

from __future__ import annotations

import httpx
import pytest
import respx

from tikmatrix_sdk import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AsyncTikMatrix,
    BadRequestError,
    InternalServerError,
    License,
    LicenseError,
    MissingScriptNameError,
    NotFoundError,
    ResponseValidationError,
    TikMatrix,
    TikMatrixError,
    UnexpectedResponseError,
    UnsupportedScriptError,
)
from tikmatrix_sdk.errors import error_class_for_code

from .conftest import envelope, resolve

pytestmark = pytest.mark.anyio

Client = TikMatrix | AsyncTikMatrix

CODES = [
    (40001, 400, BadRequestError),
    (40002, 400, MissingScriptNameError),
    (40003, 400, UnsupportedScriptError),
    (40301, 403, LicenseError),
    (40401, 404, NotFoundError),
    (50001, 500, InternalServerError),
]


@pytest.mark.parametrize(("code", "http_status", "error_class"), CODES)
@pytest.mark.parametrize("use_http_status", [True, False], ids=["http-status", "http-200"])
async def test_code_maps_to_exception(
    client: Client,
    router: respx.MockRouter,
    code: int,
    http_status: int,
    error_class: type[APIError],
    use_http_status: bool,
) -> None:
    status = http_status if use_http_status else 200
    data = {"plan_name": "Starter"} if code == 40301 else None
    # A POST is never retried on an answer, so each case is a single exchange.
    route = router.post("/task/retry-all").respond(
        status, json=envelope(data, code=code, message=f"message for {code}")
    )
    with pytest.raises(error_class) as caught:
        await resolve(client.tasks.retry_all())
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, APIError)
    assert isinstance(error, TikMatrixError)
    assert error.code == code
    assert error.message == f"message for {code}"
    assert error.data == data
    assert error.status_code == status
    assert error.request.method == route.calls.last.request.method == "POST"
    assert error.request.url == route.calls.last.request.url
    assert error.response.status_code == status
    assert str(error) == f"[{code}] message for {code} (HTTP {status})"
    assert repr(error).startswith(f"{error_class.__name__}(code={code}")
    assert route.call_count == 1


def test_subclasses_of_bad_request() -> None:
    assert issubclass(MissingScriptNameError, BadRequestError)
    assert issubclass(UnsupportedScriptError, BadRequestError)
    assert error_class_for_code(12345) is APIError


async def test_license_error_exposes_plan(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/stats").respond(
        403, json=envelope({"plan_name": "Starter"}, code=40301, message="API requires Pro+")
    )
    with pytest.raises(LicenseError) as caught:
        await resolve(client.tasks.stats())
    assert caught.value.plan_name == "Starter"


async def test_the_license_question_is_answered_on_a_plan_without_the_api(
    client: Client, router: respx.MockRouter
) -> None:
    starter = {"plan_name": "Starter", "api_enabled": False, "device_limit": 5, "seats": 1}
    route = router.get("/license/check").respond(
        403, json=envelope(starter, code=40301, message="API requires Pro+")
    )
    answer = await resolve(client.license.check())
    assert answer == License(
        plan_name="Starter", api_enabled=False, device_limit=5, message="API requires Pro+"
    )
    assert (answer.code, answer.extra) == (40301, {"seats": 1})
    assert route.call_count == 1  # a refusal is an answer: not retried
    raw = await resolve(client.license.with_raw_response.check())
    assert (raw.status_code, raw.parse()) == (403, answer)


@pytest.mark.parametrize("data", [None, {"plan": "Starter"}, [], {"device_limit": "many"}])
async def test_a_refusal_with_little_data_is_still_an_answer(
    client: Client, router: respx.MockRouter, data: object
) -> None:
    router.get("/license/check").respond(200, json=envelope(data, code=40301, message="no"))
    if isinstance(data, dict) and "device_limit" in data:
        with pytest.raises(ResponseValidationError, match="device_limit"):
            await resolve(client.license.check())
        return
    answer = await resolve(client.license.check())
    plan = "Starter" if isinstance(data, dict) else "unknown"
    assert (answer.plan_name, answer.api_enabled, answer.message) == (plan, False, "no")


async def test_an_allowed_license_has_code_0(client: Client, router: respx.MockRouter) -> None:
    pro = {"plan_name": "Pro", "api_enabled": True, "device_limit": 20, "message": "ok"}
    router.get("/license/check").respond(json=envelope(pro))
    assert (await resolve(client.license.check())).code == 0


@pytest.mark.parametrize("data", [None, {"plan": "Starter"}, {"plan_name": 3}, []])
def test_license_error_plan_name_variants(data: object) -> None:
    response = httpx.Response(403, request=httpx.Request("GET", "http://x/api/v1/license/check"))
    error = LicenseError("no", code=40301, data=data, response=response)
    expected = "Starter" if isinstance(data, dict) and data.get("plan") == "Starter" else None
    assert error.plan_name == expected


async def test_unknown_code_is_generic_api_error(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").respond(json=envelope({"x": 1}, code=42999, message="new"))
    with pytest.raises(APIError) as caught:
        await resolve(client.tasks.retry_all())
    assert type(caught.value) is APIError
    assert caught.value.code == 42999
    assert caught.value.data == {"x": 1}


async def test_code_as_numeric_string(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").respond(json={"code": "40401", "message": "gone"})
    with pytest.raises(NotFoundError):
        await resolve(client.tasks.retry_all())


async def test_error_without_message_gets_one(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").respond(json={"code": 40001, "message": None})
    with pytest.raises(BadRequestError, match="error code 40001"):
        await resolve(client.tasks.retry_all())


@pytest.mark.parametrize(
    ("status", "content", "reason"),
    [
        (502, b"<html><body>Bad Gateway</body></html>", "not JSON"),
        (200, b"", "not JSON"),
        (200, b"[1, 2]", "not the API's envelope"),
        (200, b'{"message": "no code"}', "not the API's envelope"),
        (200, b'{"code": "abc"}', "code is not a number"),
        (404, b'{"code": 0, "message": "success", "data": {}}', "HTTP error status"),
    ],
)
async def test_non_envelope_bodies(
    client: Client, router: respx.MockRouter, status: int, content: bytes, reason: str
) -> None:
    router.post("/task/retry-all").respond(status, content=content)
    with pytest.raises(UnexpectedResponseError) as caught:
        await resolve(client.tasks.retry_all())
    error = caught.value
    assert reason in error.message
    assert error.status_code == status
    assert error.text == content.decode()
    sent = f"POST {client.base_url}/api/v1/task/retry-all"
    assert str(error).startswith(f"{error.message} (HTTP {status} to {sent})")


def test_unexpected_response_str_cuts_long_bodies() -> None:
    response = httpx.Response(
        502, text="x" * 500, request=httpx.Request("GET", "http://x/api/v1/task")
    )
    error = UnexpectedResponseError("The answer is not JSON", response=response)
    assert str(error).endswith("…'")
    assert "GET http://x/api/v1/task" in str(error)
    assert len(str(error)) < 300


async def test_data_of_wrong_shape(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/1").respond(json=envelope({"status": 0}))
    with pytest.raises(ResponseValidationError, match="expected shape") as caught:
        await resolve(client.tasks.get(1))
    assert isinstance(caught.value, UnexpectedResponseError)


async def test_data_missing(client: Client, router: respx.MockRouter) -> None:
    router.get("/task/stats").respond(json={"code": 0, "message": "success"})
    with pytest.raises(ResponseValidationError):
        await resolve(client.tasks.stats())


async def test_connection_error(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").mock(side_effect=httpx.RemoteProtocolError("peer closed"))
    with pytest.raises(APIConnectionError) as caught:
        await resolve(client.tasks.retry_all())
    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.RemoteProtocolError)
    assert caught.value.request.url == "http://tikmatrix.test/api/v1/task/retry-all"
    assert "peer closed" in str(caught.value)
    assert str(caught.value).endswith("(POST http://tikmatrix.test/api/v1/task/retry-all)")


async def test_timeout_error(client: Client, router: respx.MockRouter) -> None:
    router.post("/task/retry-all").mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError, match="ReadTimeout"):
        await resolve(client.tasks.retry_all())
