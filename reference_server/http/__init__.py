"""The HTTP layer: the guards of a local API, ``/api/v1``, the control API and OpenAPI.

Side by side over the domain's service: each route parses its request (``wire``), calls the
service, and writes the contract's envelope (``envelope``).
"""
