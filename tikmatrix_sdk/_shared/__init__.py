"""What the SDK and the reference server both run that is not the wire contract.

- :mod:`.guards`: a local API's refusals (cross-origin, foreign ``Host``, non-JSON bodies),
  which the server applies to every request and the SDK's mock and recorder apply too;
- :mod:`.process_tree`: starting a command in its own process group and ending it with
  everything it started, for the server's custom scripts and the SDK's command line;
- :mod:`.tls`: the TLS settings of every client either side builds;
- :mod:`.install`: the hint that names the extra a missing package comes with.

The reference server takes from the SDK its public face, :mod:`tikmatrix_sdk._contract` and
this package, nothing else (``tests/test_layers.py``). Like the contract, it imports nothing
else of the project.
"""
