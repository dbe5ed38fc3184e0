"""Android's settings provider as ``settings`` answers it: three namespaces of text values.

A phone starts with values in each (``screen_brightness`` 102 of 255, manual brightness, the
stock keyboard …); ``put`` keeps a value for the phone's life, ``delete`` forgets it, and a
key never set reads ``null``, as on a phone. The defaults are the ones tools that drive a phone
read (adbutils' brightness and airplane-mode helpers, uiautomator2's input method).
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["DEFAULT_SETTINGS", "NAMESPACES", "run_settings"]

NAMESPACES = ("system", "secure", "global")
_KEYBOARD = "com.android.inputmethod.latin/.LatinIME"

#: A new phone's settings, by namespace and key.
DEFAULT_SETTINGS: dict[tuple[str, str], str] = {
    ("system", "screen_brightness"): "102",
    ("system", "screen_brightness_mode"): "0",
    ("system", "screen_off_timeout"): "60000",
    ("system", "accelerometer_rotation"): "1",
    ("system", "user_rotation"): "0",
    ("system", "font_scale"): "1.0",
    ("system", "pointer_location"): "0",
    ("system", "show_touches"): "0",
    ("system", "haptic_feedback_enabled"): "1",
    ("secure", "default_input_method"): _KEYBOARD,
    ("secure", "enabled_input_methods"): _KEYBOARD,
    ("secure", "location_mode"): "3",
    ("secure", "android_id"): "a1b2c3d4e5f60718",
    ("global", "adb_enabled"): "1",
    ("global", "airplane_mode_on"): "0",
    ("global", "development_settings_enabled"): "1",
    ("global", "stay_on_while_plugged_in"): "0",
    ("global", "wifi_on"): "1",
    ("global", "bluetooth_on"): "0",
    ("global", "auto_time"): "1",
    ("global", "window_animation_scale"): "1.0",
    ("global", "transition_animation_scale"): "1.0",
    ("global", "animator_duration_scale"): "1.0",
}

USAGE = (
    "usage:  settings [--user <USER_ID> | current] get namespace key\n"
    "        settings [--user <USER_ID> | current] put namespace key value\n"
    "        settings [--user <USER_ID> | current] delete namespace key\n"
    "        settings [--user <USER_ID> | current] list namespace\n"
    "\n'namespace' is one of {system, secure, global}, case-insensitive\n"
)


def run_settings(store: dict[tuple[str, str], str], args: Iterable[str]) -> tuple[str, str, int]:
    """Run ``settings ARGS`` against ``store``: its output, its error text and its status."""
    words = list(args)
    if words[:1] == ["--user"]:
        if len(words) < 2 or not (words[1] == "current" or words[1].isdigit()):
            return "", USAGE, 255
        words = words[2:]
    if len(words) < 2 or words[1].lower() not in NAMESPACES:
        return "", USAGE, 255
    verb, namespace, rest = words[0], words[1].lower(), words[2:]
    if verb == "get" and len(rest) == 1:
        return store.get((namespace, rest[0]), "null") + "\n", "", 0
    if verb == "put" and len(rest) >= 2:  # a tag and "default" may follow the value
        store[(namespace, rest[0])] = rest[1]
        return "", "", 0
    if verb == "delete" and len(rest) == 1:
        found = store.pop((namespace, rest[0]), None)
        return f"Deleted {int(found is not None)} rows\n", "", 0
    if verb == "list" and not rest:
        keys = sorted(key for space, key in store if space == namespace)
        return "".join(f"{key}={store[(namespace, key)]}\n" for key in keys), "", 0
    return "", USAGE, 255
