"""Files a build makes again with the same bytes keep their modification time.

A weekly build regenerates every page, but most of them (closed weeks, closed quarters, the standards
pages, cached sheets) come out byte for byte as last week. Keeping their mtime lets whatever copies the
site or the docs folder on (rsync to the web server, Zensical's page cache, a backup) see that they did
not change. Only the time is kept: the content is the new build's, compared byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20


def _digest(path: Path) -> bytes:
    h = hashlib.blake2b(digest_size=20)
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.digest()


class FileTimes:
    """What a folder's files were before a build rewrites them: (size, mtime, digest) by relative path."""

    def __init__(self, root: Path):
        self.root = root
        self.before: dict[str, tuple[int, int, bytes]] = {}

    def remember(self, folder: Path) -> None:
        """Record `folder` (a file, or every regular file under it; links are not followed) before it is removed
        or rewritten."""
        if folder.is_file():
            self._one(folder)
            return
        for dirpath, _dirs, names in os.walk(folder):
            for name in names:
                self._one(Path(dirpath) / name)

    def _one(self, path: Path) -> None:
        if path.is_symlink() or not path.is_file():
            return
        rel = path.relative_to(self.root).as_posix()
        if rel not in self.before:
            st = path.stat()
            self.before[rel] = (st.st_size, st.st_mtime_ns, _digest(path))

    def restore(self) -> int:
        """Give each file that is back with the same bytes its old mtime; returns how many kept it."""
        kept = 0
        for rel, (size, mtime, digest) in self.before.items():
            path = self.root / rel
            try:
                st = path.stat()
            except FileNotFoundError:
                continue
            if st.st_mtime_ns == mtime:
                kept += 1
            elif st.st_size == size and not path.is_symlink() and _digest(path) == digest:
                os.utime(path, ns=(st.st_atime_ns, mtime))
                kept += 1
        self.before.clear()
        return kept


def keep_times_of_same(new: Path, old: Path) -> tuple[int, int]:
    """Files of the freshly built tree `new` whose bytes equal the file at the same place in `old` get the old
    one's mtime (before `new` replaces `old`). Returns (kept, files in new)."""
    kept = total = 0
    if not old.is_dir():
        return 0, sum(len(names) for _d, _s, names in os.walk(new))
    for dirpath, _dirs, names in os.walk(new):
        for name in names:
            total += 1
            path = Path(dirpath) / name
            before = old / path.relative_to(new)
            try:
                a, b = path.lstat(), before.lstat()
            except FileNotFoundError:
                continue
            if a.st_size != b.st_size or not (path.is_file() and before.is_file()) or before.is_symlink():
                continue
            if _same_bytes(path, before):
                os.utime(path, ns=(a.st_atime_ns, b.st_mtime_ns))
                kept += 1
    return kept, total


def _same_bytes(a: Path, b: Path) -> bool:
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            x, y = fa.read(_CHUNK), fb.read(_CHUNK)
            if x != y:
                return False
            if not x:
                return True
