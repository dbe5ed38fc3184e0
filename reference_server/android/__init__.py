"""A simulated Android phone, whatever carries it: apps, screens, storage and shell.

The virtual phones (:mod:`reference_server.virtual`) put it behind a real ADB transport;
simulated devices drive it in-process for the device API.
"""
