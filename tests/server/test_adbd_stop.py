"""A stopped virtual phone leaves no thread waiting for connections (a helper's trace found
one: after a signal, the kernel restarted its ``accept`` on the same descriptor number, by
then the next phone's listener, and the stopped phone served the next phone's adb)."""

from __future__ import annotations

import socket

from reference_server.virtual.phone import VirtualPhone


def test_stop_ends_the_accepting_thread_before_the_listener_is_closed() -> None:
    old = VirtualPhone("old").start()
    thread, port = old.daemon._thread, old.daemon.port
    socket.create_connection(("127.0.0.1", port), timeout=5).close()  # it was serving
    old.stop()
    assert not thread.is_alive()
    new = VirtualPhone("new").start()
    try:
        # Whatever descriptor number the new listener got, no thread of the old phone waits on it.
        assert not thread.is_alive()
        socket.create_connection(("127.0.0.1", new.daemon.port), timeout=5).close()
    finally:
        new.stop()
    assert not new.daemon._thread.is_alive()


def test_a_stopped_phone_refuses_what_it_accepted_as_it_stopped() -> None:
    phone = VirtualPhone("late").start()
    phone.daemon._stopped = True  # a host connecting in the moment stop() begins
    late = socket.create_connection(("127.0.0.1", phone.daemon.port), timeout=5)
    late.settimeout(5)
    try:
        assert late.recv(1) == b""  # closed unserved
        phone.daemon._thread.join(5)
        assert not phone.daemon._thread.is_alive()
    finally:
        late.close()
        phone.stop()
