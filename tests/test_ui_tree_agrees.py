"""The SDK reads every attribute the reference server's screens write (#35, item 2): one
node model on the server (``android.elements.Node``), the SDK's ``UiNode`` compared with it."""

from __future__ import annotations

import dataclasses
from xml.etree import ElementTree

from reference_server.android.elements import Node
from reference_server.android.system import AndroidSystem
from tikmatrix_sdk._ui_tree import UiNode, parse_hierarchy

#: The dump's attribute names the SDK spells otherwise; ``index`` and ``visible-to-user``
#: (every node the dump holds is visible) are not kept.
RENAMED = {"resource-id": "resource_id", "class": "class_name", "content-desc": "description"}
NOT_KEPT = {"index", "visible-to-user"}


def test_every_attribute_the_server_writes_has_a_field_in_the_sdk() -> None:
    written = set(Node().dump_attributes(0)) - NOT_KEPT
    fields = {field.name for field in dataclasses.fields(UiNode)}
    assert {RENAMED.get(name, name.replace("-", "_")) for name in written} == fields


def test_the_sdk_reads_a_dump_as_the_server_wrote_it() -> None:
    phone = AndroidSystem("treephone")
    try:
        phone.execute_line("monkey -p com.zhiliaoapp.musically 1")
        phone.ui.click(540, 150)  # the search screen, with its text field
        field = next(e for e in phone.ui.elements() if e.editable)
        phone.ui.click(
            *[(a + b) // 2 for a, b in zip(field.bounds[:2], field.bounds[2:], strict=True)]
        )
        xml = phone.ui.hierarchy()
    finally:
        phone.close()
    parsed = parse_hierarchy(xml)
    written = [node.attrib for node in ElementTree.fromstring(xml).iter("node")]
    assert len(parsed) == len(written) > 3
    for read, attributes in zip(parsed, written, strict=True):
        for name, value in attributes.items():
            if name in NOT_KEPT:
                continue
            got = getattr(read, RENAMED.get(name, name.replace("-", "_")))
            if name == "bounds":
                left, top, right, bottom = got
                assert value == f"[{left},{top}][{right},{bottom}]"
            elif isinstance(got, bool):
                assert value == str(got).lower(), name
            else:
                assert value == got, name
    assert [node.class_name for node in parsed if node.focused] == ["android.widget.EditText"]
