"""What the scripts know of the TikTok and Instagram apps: packages, URLs and UI element ids.

The ADB device finds elements by these resource ids and texts; the virtual phones draw their
simulated screens with the same ones, the way a real app would show them.
"""

from __future__ import annotations

import attrs

__all__ = ["APPS", "App", "app_for"]


@attrs.frozen(kw_only=True)
class App:
    """One social app as the scripts drive it."""

    platform: str
    name: str
    package: str
    profile_url: str  # str.format(user=...) with the leading @ removed
    media_dir: str
    # UI elements, by resource id
    search_button: str
    search_input: str
    search_result: str
    follow_button: str
    create_button: str
    gallery_item: str
    next_button: str
    caption_input: str
    post_button: str
    comment_button: str
    comment_input: str
    comment_send: str
    like_button: str
    collect_button: str
    feed: str
    use_sound_button: str
    # the caption screen's settings (the simulated apps share these names)
    sound_button: str = "add_sound_button"
    sound_search: str = "sound_search_input"
    sound_result: str = "sound_result"
    mute_button: str = "mute_original_sound"
    origin_volume_input: str = "origin_volume_input"
    added_volume_input: str = "added_volume_input"
    product_link_button: str = "add_product_link"
    story_button: str = "share_to_story"

    def rid(self, name: str) -> str:
        """The full resource id of an element name."""
        return f"{self.package}:id/{name}"


TIKTOK = App(
    platform="tiktok",
    name="TikTok",
    package="com.zhiliaoapp.musically",
    profile_url="https://www.tiktok.com/@{user}",
    media_dir="/sdcard/DCIM/TikMatrix",
    search_button="search_icon",
    search_input="search_input",
    search_result="search_user_result",
    follow_button="follow_button",
    create_button="create_button",
    gallery_item="gallery_item",
    next_button="next_button",
    caption_input="caption_input",
    post_button="post_button",
    comment_button="comment_icon",
    comment_input="comment_input",
    comment_send="comment_send",
    like_button="like_icon",
    collect_button="favorite_icon",
    feed="feed_video",
    use_sound_button="use_sound_button",
)

INSTAGRAM = App(
    platform="instagram",
    name="Instagram",
    package="com.instagram.android",
    profile_url="https://www.instagram.com/{user}",
    media_dir="/sdcard/Pictures/TikMatrix",
    search_button="search_tab",
    search_input="action_bar_search_edit_text",
    search_result="row_search_user_username",
    follow_button="profile_header_follow_button",
    create_button="creation_tab",
    gallery_item="gallery_grid_item",
    next_button="next_button_textview",
    caption_input="caption_input_text_view",
    post_button="share_footer_button",
    comment_button="row_feed_button_comment",
    comment_input="layout_comment_thread_edittext",
    comment_send="layout_comment_thread_post_button",
    like_button="row_feed_button_like",
    collect_button="row_feed_button_save",
    feed="clips_video_container",
    use_sound_button="use_audio_button",
)

APPS = {app.platform: app for app in (TIKTOK, INSTAGRAM)}


def app_for(platform: str | None, url: str = "") -> App:
    """The app a task drives: by the post URL's host, else the account's platform, else TikTok."""
    if "instagram.com" in url:
        return INSTAGRAM
    if "tiktok.com" in url:
        return TIKTOK
    return APPS.get(platform or "tiktok", TIKTOK)
