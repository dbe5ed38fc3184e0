"""Virtual phones for the ADB runner's tests.

An ADB daemon, a simulated Android with TikTok and Instagram, and a lab that drives them
through a real adb server.
"""
