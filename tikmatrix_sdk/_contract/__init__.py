"""The wire contract, written once: everything the server, the mock and the docs agree on.

The reference server's routes parse requests with these functions and refuse with these
codes; :class:`tikmatrix_sdk.testing.MockTikMatrix` calls the very same functions; the OpenAPI
document and ``docs/contract.md`` are drawn from these tables, and tests compare the SDK's
models, configs and exceptions with them. Nothing here touches state or the network, and
nothing here imports the rest of the SDK or the server.

- :mod:`.codes`: the codes, their HTTP statuses, :class:`~.codes.ContractError`;
- :mod:`.limits`: every bound a request may ask for;
- :mod:`.shapes`: every answer's shape (the SDK's models), its JSON Schema and its writer;
- :mod:`.routes`: every operation, its method and path;
- :mod:`.tasks`, :mod:`.devices`: the requests of the task API and of the device API;
- :mod:`.lifecycle`, :mod:`.plans`: the statuses and transitions, the license plans;
- :mod:`.options`, :mod:`.scripts`: each script's options, checks and fan-out.
"""
