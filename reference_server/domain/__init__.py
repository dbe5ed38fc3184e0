"""The domain: the contract's rules over a task store, the devices, and the runner.

``service`` owns the rules and is the only way to the store (``store`` is its interface,
``sqlite_store`` the implementation); ``fleet`` holds the devices and ``runner`` hands due
tasks to them.
"""
