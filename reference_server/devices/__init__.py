"""Devices the runner drives: the seam and its simulated kind."""

from .base import Device, DeviceError, RunContext, TaskCancelled, UiRpcError
from .simulated import FAILURE_MODES, Behaviour, SimulatedDevice

__all__ = [
    "FAILURE_MODES",
    "Behaviour",
    "Device",
    "DeviceError",
    "RunContext",
    "SimulatedDevice",
    "TaskCancelled",
    "UiRpcError",
]
