"""The picture of a simulated screen: what :class:`~.ui.PhoneUI` shows, drawn as a PNG.

The picture is drawn from the same elements (bounds, text, class, selection) that the
hierarchy dump lists, so a screenshot shows what a test did: a button is a filled bar in the
app's colour with its label, a text field a framed box with its text, a gallery item a tile
with its file name (framed in blue when picked). Pillow comes with the server extra.
"""

from __future__ import annotations

import collections
import functools
import io
import threading

from PIL import Image, ImageDraw, ImageFont

from .ui import STATUS_BAR, Element, PhoneUI

__all__ = ["ACCENTS", "render_png"]

#: The colour of each app's buttons, by platform; the launcher's is the default.
ACCENTS = {"tiktok": (254, 44, 85), "instagram": (193, 53, 132), "": (60, 64, 198)}
_INK = (22, 24, 35)
_PAPER = (255, 255, 255)
_WALLPAPER = (232, 234, 246)  # the launcher's: light, so its icons read at any size
_FIELD = (241, 241, 242)
_TILE = (200, 204, 212)
_HINT = (140, 144, 156)
_PICKED = (32, 120, 255)


@functools.lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _label(element: Element) -> str:
    text = element.text or element.desc or element.rid.rsplit("/", 1)[-1]
    return text if len(text) <= 40 else text[:39] + "…"


Colour = tuple[int, int, int]


def _draw_element(draw: ImageDraw.ImageDraw, element: Element, accent: Colour) -> None:
    left, top, right, bottom = element.bounds
    box = (left + 24, top + 10, right - 24, bottom - 10)
    font = _font(44)
    middle = (top + bottom) // 2
    if element.cls.endswith("Button"):
        draw.rounded_rectangle(box, radius=24, fill=accent)
        draw.text((box[0] + 32, middle), _label(element), font=font, fill=_PAPER, anchor="lm")
    elif element.editable:
        draw.rounded_rectangle(box, radius=12, fill=_FIELD, outline=_INK, width=3)
        hint = element.field.replace("_", " ").capitalize()  # the empty field's grey hint
        shown = element.text if len(element.text) <= 40 else "…" + element.text[-39:]
        text, colour = (shown, _INK) if element.text else (hint, _HINT)
        draw.text((box[0] + 24, middle), text, font=font, fill=colour, anchor="lm")
    elif element.cls.endswith("ImageView"):
        outline = _PICKED if element.selected else _TILE
        draw.rectangle(box, fill=_TILE, outline=outline, width=10 if element.selected else 1)
        draw.text((box[0] + 32, middle), _label(element), font=font, fill=_INK, anchor="lm")
    else:
        draw.text((box[0] + 8, middle), _label(element), font=font, fill=_INK, anchor="lm")


_CACHE: collections.OrderedDict[tuple[str, str], bytes] = collections.OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def render_png(ui: PhoneUI) -> bytes:
    """The current screen of ``ui`` as PNG bytes, the display's size as it is turned.

    A screen already drawn (the same phone, the same hierarchy) is not drawn again: a
    dashboard that refreshes every phone's picture costs a hierarchy dump per unchanged one.
    """
    with ui.lock:
        key = (ui.phone.serial, f"{ui.screen_on}" + ui.hierarchy())
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    png = _draw(ui)
    with _CACHE_LOCK:
        _CACHE[key] = png
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return png


def _draw(ui: PhoneUI) -> bytes:
    with ui.lock:
        elements = ui.elements()
        app = None if ui.shade else ui.app
        screen_on, shade = ui.screen_on, ui.shade
    if not screen_on:  # a display that is off shows black, at its size as it is turned
        return _png(Image.new("RGB", ui.size, (0, 0, 0)))
    accent = ACCENTS[app.platform if app else ""]
    launcher = app is None and ui.custom is None and ui.screen != "settings" and shade is None
    width, height = ui.size  # laid out for the display as it is turned, as apps are
    image = Image.new("RGB", (width, height), _WALLPAPER if launcher else _PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, STATUS_BAR), fill=accent)
    custom = None if shade else ui.custom
    title = (
        custom.label
        if custom
        else app.name
        if app
        else "Home"
        if launcher
        else "System"
        if shade
        else "Settings"
    )
    status = f"{title} · {ui.phone.serial}"
    draw.text((32, STATUS_BAR // 2), status, font=_font(40), fill=_PAPER, anchor="lm")
    for element in elements:
        if launcher:  # an app's icon: a large tile with its name, legible when drawn small
            left, top, right, bottom = element.bounds
            box = (left + 24, top + 10, right - 24, bottom - 10)
            draw.rounded_rectangle(box, radius=32, fill=accent)
            middle = (top + bottom) // 2
            draw.text(
                (box[0] + 40, middle), _label(element), font=_font(64), fill=_PAPER, anchor="lm"
            )
        else:
            _draw_element(draw, element, accent)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
