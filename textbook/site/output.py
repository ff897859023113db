"""The site directory changes all at once, or not at all, even with two builds at once.

A build writes into its own staging directory beside `site_dir` (`.site.partial-<unique>`)
while it holds an exclusive lock on `.site.lock` there. Only a build that succeeds publishes:
the staging directory and `site_dir` are exchanged in one rename (Linux `renameat2` with
`RENAME_EXCHANGE`), so a reader sees the old site or the new one, never a mix or none.

A second build of the same checkout waits for the lock, saying so in the log, for at most
`timeout` seconds; then it fails with a message naming the build that holds it. The lock is a
`flock` on an open file: the kernel releases it when its process ends, even on `kill -9`, so a
killed build never blocks the next one (which then removes what the killed one left).
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DEFAULT_LOCK_TIMEOUT = 900.0  # a clean build of the whole site takes a few minutes
_POLL = 0.2
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


class BuildLockTimeout(Exception):
    """Another build of the same site directory held the lock for longer than the timeout."""


def lock_path(final: Path) -> Path:
    return final.with_name(f".{final.name}.lock")


def staging_prefix(final: Path) -> str:
    return f".{final.name}.partial-"


def _holder(handle) -> str:
    handle.seek(0)
    text = handle.read().strip()
    return text if text.isdigit() else "unknown"


class BuildLock:
    """An exclusive lock on building into `final`; release() or process exit frees it."""

    def __init__(self, final: Path):
        self.path = lock_path(final)
        self._handle = None

    def acquire(
        self, *, timeout: float = DEFAULT_LOCK_TIMEOUT, on_wait: Callable[[str], None] = print
    ) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="ascii")  # noqa: SIM115 - held for the build
        deadline = time.monotonic() + timeout
        waited = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(handle)
                if not waited:
                    on_wait(f"waiting for another build of this checkout (pid {holder}) to end")
                    waited = True
                if time.monotonic() >= deadline:
                    handle.close()
                    raise BuildLockTimeout(
                        f"{self.path}: another build of this checkout (pid {holder}) has been "
                        f"building for more than {timeout:g} s; wait for it to end or stop it, "
                        "then build again"
                    ) from None
                time.sleep(_POLL)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            handle, self._handle = self._handle, None
            handle.truncate(0)
            handle.close()  # closing the last descriptor releases the flock

    @property
    def held(self) -> bool:
        return self._handle is not None


def remove_stale_staging(final: Path) -> list[Path]:
    """Remove staging directories of builds that died; call only while holding the lock."""
    prefix = staging_prefix(final)
    removed = []
    if final.parent.is_dir():
        for path in sorted(final.parent.iterdir()):
            legacy = path.name in (f".{final.name}.partial", f".{final.name}.old")
            if (path.name.startswith(prefix) or legacy) and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def new_staging(final: Path) -> Path:
    """A fresh, uniquely named, empty staging directory beside `final`."""
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=staging_prefix(final), dir=final.parent))


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step; False where the system cannot (then nothing changed)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def publish(staging: Path, final: Path) -> None:
    """Make `staging` the site at `final` in one step, then remove the old site."""
    if not final.exists():
        staging.rename(final)
        return
    if _exchange(staging, final):
        shutil.rmtree(staging, ignore_errors=True)  # now the previous site
        return
    # No atomic exchange (not Linux, or a file system without it): two renames, under the lock.
    old = staging.with_name(staging.name + ".old")
    final.rename(old)
    staging.rename(final)
    shutil.rmtree(old, ignore_errors=True)


class SiteSwap:
    """One build's way to its site directory: lock, staging folder, swap or clean-up.

    `begin` takes the lock (not under `mkdocs serve`, whose temporary folder nobody shares),
    clears what a killed build left and returns the staging folder the build writes into;
    `finish` swaps it in; `abort` removes it. The lock is released either way.
    """

    def __init__(self) -> None:
        self.final: Path | None = None
        self.staging: Path | None = None
        self.lock: BuildLock | None = None

    def begin(self, final: Path, *, serving: bool, on_wait: Callable[[str], None]) -> Path:
        self.final = final
        if not serving:
            self.lock = BuildLock(final)
            self.lock.acquire(on_wait=on_wait)
            remove_stale_staging(final)
        self.staging = new_staging(final)
        return self.staging

    def finish(self) -> Path | None:
        """Swap the staging folder in; the final folder (None if there was nothing to swap)."""
        if self.final is None or self.staging is None:
            return None
        publish(self.staging, self.final)
        self.staging = None
        self._release()
        return self.final

    def abort(self) -> None:
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None
        self._release()

    def _release(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None
