"""Installing an app: ``pm install`` of an APK pushed to the phone, and what it then knows.

The package's name, version and label come from the APK's own manifest (binary XML, read by
pyaxmlparser, which the server extra installs). An installed package is listed by
``pm list packages``, has a ``pm path``, and ``dumpsys package`` gives its versions and its
first-install and last-update times; ``pm uninstall`` removes it. Failures are worded as
Android's package manager words them (``Failure [INSTALL_FAILED_ALREADY_EXISTS: …]``).
"""

from __future__ import annotations

import io
import json
import time
import zipfile
import zlib

import attrs

from .described_apps import MAX_APP_BYTES, AppError, DescribedApp, read_app

__all__ = [
    "ADB_KEYBOARD",
    "BUILT_IN",
    "ApkInfo",
    "SYSTEM_PACKAGES",
    "InstalledPackage",
    "DESCRIBED_ASSET",
    "app_uid",
    "built_in_packages",
    "described_in_apk",
    "install",
    "read_apk",
    "staged_path",
]

#: The input method uiautomator2's helper app brings (``com.github.uiautomator``).
ADB_KEYBOARD = "com.github.uiautomator/.AdbKeyboard"
#: The apps a phone comes with: their version names and codes.
BUILT_IN = {
    "com.zhiliaoapp.musically": ("36.5.4", 2023605040),
    "com.instagram.android": ("312.0.0.32.112", 553211043),
    "com.android.settings": ("13", 33),
    "com.android.launcher3": ("13", 33),
    "com.android.systemui": ("13", 33),
}
#: The system's own apps, on every phone and never uninstalled, with their folders.
_SYSTEM_FOLDERS = {
    "com.android.settings": "Settings",
    "com.android.launcher3": "Launcher3QuickStep",
    "com.android.systemui": "SystemUI",
}
SYSTEM_PACKAGES = frozenset(_SYSTEM_FOLDERS)
_FACTORY = time.mktime((2026, 1, 5, 10, 0, 0, 0, 0, -1))  # when the phone was set up
_UPDATED = time.mktime((2026, 11, 20, 9, 30, 0, 0, 0, -1))


@attrs.frozen
class ApkInfo:
    """What an APK's manifest says."""

    package: str
    version_code: int
    version_name: str
    label: str


def app_uid(package: str) -> int:
    """The user id Android gives an app (10000 and up), the same on every phone here."""
    return 10000 + zlib.crc32(package.encode()) % 900 + 100


@attrs.define
class InstalledPackage:
    """An app on the phone: its versions, and when it came and was last updated."""

    package: str
    version_code: int
    version_name: str
    first_install: float = attrs.field(factory=time.time)
    last_update: float = attrs.field(factory=time.time)
    label: str = ""

    @property
    def code_path(self) -> str:
        """Where Android keeps it (``pm path``): the system's apps in its partition."""
        folder = _SYSTEM_FOLDERS.get(self.package)
        if folder is not None:
            return f"/system/priv-app/{folder}/{folder}.apk"
        tag = f"{zlib.crc32(self.package.encode()):08x}"
        return f"/data/app/~~{tag}==/{self.package}-1/base.apk"

    def dump(self) -> str:
        """``dumpsys package NAME``: the lines tools read (adbutils' ``app_info``)."""
        signature = f"{zlib.crc32(self.package.encode()):08x}"
        stamp = "%Y-%m-%d %H:%M:%S"
        return (
            f"Packages:\n  Package [{self.package}] (5c4b3a2):\n"
            f"    userId={app_uid(self.package)}\n"
            f"    codePath={self.code_path.rsplit('/', 1)[0]}\n"
            f"    versionCode={self.version_code} minSdk=24 targetSdk=33\n"
            f"    versionName={self.version_name}\n"
            "    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]\n"
            f"    firstInstallTime={time.strftime(stamp, time.localtime(self.first_install))}\n"
            f"    lastUpdateTime={time.strftime(stamp, time.localtime(self.last_update))}\n"
            f"    signatures=PackageSignatures{{1a2b3c4d version:3, signatures:[{signature}]}}\n"
            "    User 0: ceDataInode=4242 installed=true hidden=false suspended=false\n"
        )


#: The most an entry the installer reads (the manifest, the resources table) may inflate to,
#: and the most entries an APK may list: a zip bomb costs no more memory than this.
MAX_INFLATED, MAX_ENTRIES = 8 * 1024 * 1024, 20_000
_READ = ("AndroidManifest.xml", "resources.arsc")


def _bounded(data: bytes) -> str | None:
    """Why the APK ``data`` is refused before it is parsed, or ``None``.

    Its central directory may list at most :data:`MAX_ENTRIES` entries, and each entry the
    installer reads is inflated as a stream, stopping past :data:`MAX_INFLATED`: a 1 MB
    file that inflates to 1 GiB is refused having cost 8 MiB.
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or len(data) < end + 22:
        return "INSTALL_PARSE_FAILED_NOT_APK: Failed to read the APK: not a zip file"
    if int.from_bytes(data[end + 10 : end + 12], "little") > MAX_ENTRIES:
        return (
            f"INSTALL_PARSE_FAILED_NOT_APK: Failed to read the APK: more than {MAX_ENTRIES} entries"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in _READ:
                if name not in archive.NameToInfo:
                    continue
                size = 0
                with archive.open(name) as entry:
                    while chunk := entry.read(65_536):
                        size += len(chunk)
                        if size > MAX_INFLATED:
                            return (
                                "INSTALL_PARSE_FAILED_MANIFEST_MALFORMED: Failed to read the APK: "
                                f"{name} inflates past {MAX_INFLATED} bytes"
                            )
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as error:
        return f"INSTALL_PARSE_FAILED_NOT_APK: Failed to read the APK: {error}"
    return None


_SIGNING_BLOCK = b"APK Sig Block 42"
_V1_SIGNATURES = (".RSA", ".DSA", ".EC")


def _signed(data: bytes) -> bool:
    """Whether the APK carries a signature Android reads: a v2/v3 signing block, or v1 files.

    A phone verifies the signature too; this one only asks that there is one (a test's APK
    is signed by a key nobody checks).
    """
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    directory = int.from_bytes(data[end + 16 : end + 20], "little")
    if 16 <= directory <= len(data) and data[directory - 16 : directory] == _SIGNING_BLOCK:
        return True
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [
            name.upper() for name in archive.NameToInfo if name.upper().startswith("META-INF/")
        ]
    return any(name.endswith(_V1_SIGNATURES) for name in names) and any(
        name.endswith(".SF") for name in names
    )


def read_apk(data: bytes, staged: str = "/data/app/vmdl1.tmp/base.apk") -> ApkInfo | str:
    """The manifest of the APK ``data``, or the reason it cannot be installed.

    ``staged`` is where the package manager copied it, which its messages name.
    """
    refused = _bounded(data)
    if refused is not None:
        return refused
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        has_manifest = "AndroidManifest.xml" in archive.NameToInfo
    if not has_manifest:
        return (
            f"INSTALL_PARSE_FAILED_NOT_APK: Failed to parse {staged}: "
            f"Failed to load asset path {staged}"
        )
    if not _signed(data):
        return (
            f"INSTALL_PARSE_FAILED_NO_CERTIFICATES: Failed to collect certificates from "
            f"{staged}: Attempt to get length of null array"
        )
    try:
        from pyaxmlparser import APK
    except ImportError:  # pragma: no cover - the server extra installs it
        return (
            "INSTALL_FAILED_INTERNAL_ERROR: reading an APK needs pyaxmlparser "
            '(python -m pip install ".[server]")'
        )
    try:
        apk = APK(data, raw=True)
        package = apk.package
        code = int(apk.version_code or 0)
        name = str(apk.version_name or "")
        label = str(apk.application or "")
    except Exception:  # pyaxmlparser's words are not Android's: the phone says its own
        return (
            f"INSTALL_PARSE_FAILED_MANIFEST_MALFORMED: Failed to parse {staged}: "
            "Binary XML file line #1: not a valid AndroidManifest.xml"
        )
    if not package:
        return (
            f"INSTALL_PARSE_FAILED_BAD_MANIFEST: Failed to parse {staged}: <manifest> does not "
            "specify package"
        )
    return ApkInfo(package=str(package), version_code=code, version_name=name, label=label)


def built_in_packages(packages: set[str]) -> dict[str, InstalledPackage]:
    """The apps a new phone has (of ``packages``, and Settings), as installed packages."""
    return {
        name: InstalledPackage(
            package=name,
            version_code=BUILT_IN.get(name, ("1.0", 1))[1],
            version_name=BUILT_IN.get(name, ("1.0", 1))[0],
            first_install=_FACTORY,
            last_update=_UPDATED,
        )
        for name in sorted(packages | SYSTEM_PACKAGES)
    }


def staged_path(session: int) -> str:
    """Where the package manager copies the APK of install session ``session``."""
    return f"/data/app/vmdl{session}.tmp/base.apk"


def install(
    installed: dict[str, InstalledPackage],
    data: bytes,
    flags: set[str],
    session: int = 1,
    info: ApkInfo | str | None = None,
) -> tuple[str, InstalledPackage | None]:
    """``pm install`` of the APK ``data`` with ``flags`` (``-r`` replace, ``-d`` downgrade).

    ``session`` is the package manager's install session (the staged path it names);
    ``info`` is what :func:`read_apk` made of ``data`` for it, if the caller read it
    already. Returns the answer's line and the package installed (``None`` on a failure).
    """
    if info is None:
        info = read_apk(data, staged_path(session))
    if isinstance(info, str):
        return f"Failure [{info}]", None
    old = installed.get(info.package)
    if old is not None and "-r" not in flags:
        return (
            f"Failure [INSTALL_FAILED_ALREADY_EXISTS: Attempt to re-install {info.package} "
            "without first uninstalling.]",
            None,
        )
    if old is not None and info.version_code < old.version_code and "-d" not in flags:
        return (
            f"Failure [INSTALL_FAILED_VERSION_DOWNGRADE: Downgrade detected: Update version "
            f"code {info.version_code} is older than current {old.version_code}]",
            None,
        )
    now = time.time()
    package = InstalledPackage(
        package=info.package,
        version_code=info.version_code,
        version_name=info.version_name,
        first_install=old.first_install if old else now,
        last_update=now,
        label=info.label,
    )
    installed[info.package] = package
    return "Success", package


#: Where an APK carries its app described as data (:mod:`.described_apps`).
DESCRIBED_ASSET = "assets/tikmatrix-app.json"


def described_in_apk(data: bytes) -> DescribedApp | str | None:
    """The app an APK describes in :data:`DESCRIBED_ASSET`, if any.

    ``None`` when it has none; the reason as text when the description cannot be used. The
    entry is read up to :data:`MAX_APP_BYTES` and no further, as the manifest is bounded.
    """
    if _bounded(data) is not None:
        return None  # past the APK's bounds: the installer refuses it in its own words
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if DESCRIBED_ASSET not in archive.NameToInfo:
                return None
            with archive.open(DESCRIBED_ASSET) as entry:
                raw = entry.read(MAX_APP_BYTES + 1)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error, RuntimeError,
            NotImplementedError) as error:  # fmt: skip
        return f"{DESCRIBED_ASSET} cannot be read: {type(error).__name__}"
    if len(raw) > MAX_APP_BYTES:
        return f"{DESCRIBED_ASSET} is larger than {MAX_APP_BYTES} bytes"
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return f"{DESCRIBED_ASSET}: not JSON"
    try:
        return read_app(parsed)
    except AppError as error:
        return f"{DESCRIBED_ASSET}: {error}"
