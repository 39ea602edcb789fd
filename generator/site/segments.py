"""The search index's Chinese word segmentation, remembered between builds.

Material's search plugin cuts every run of Chinese characters of every page into words with jieba, so that the
browser's search finds words inside sentences. jieba loads its 500,000-word dictionary before its first cut:
about 0.9 s of CPU and 60 MiB in every process that builds the site, the largest fixed cost of a small build.
The runs hardly change from one build to the next (the handbook's pages follow the standards), so what jieba cut
is kept in a file and jieba is asked (and its dictionary loaded) only for a run the file does not hold. jieba's
cut depends only on the run, its version and its dictionary: the index is the same, byte for byte.

The file is in a per-user folder of the temp folder (as Jinja's compiled templates): an entry not used for
`STALE_DAYS` is dropped when the file is written. A file that cannot be read, from another jieba or dictionary,
only means cutting again; one that cannot be written, cutting again next time. Not used when the site's search
configuration names its own dictionaries (`jieba_dict`, `jieba_dict_user`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Any

STALE_DAYS = 30
SEPARATOR = "\u200b"   # never inside a run of Chinese characters: joins a run's words in the file
FILE_NAME = "search-segments.json"


def cache_folder() -> Path | None:
    """The per-user folder of the temp folder (made private on first use); None when it cannot be made or is
    not this user's own private folder (a shared temp folder: nobody else may put words into our index)."""
    folder = Path(tempfile.gettempdir()) / f"_handbook-cache-{os.getuid()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or stat.S_IMODE(info.st_mode) & 0o077:
        return None
    return folder


def _dictionary_key(jieba) -> str:
    """jieba's version and its dictionary file (path, size, modification time): what its cuts depend on."""
    parts = [getattr(jieba, "__version__", "")]
    path = getattr(jieba.dt, "dictionary", None)
    try:
        if path is None:          # the dictionary shipped in jieba's package
            path = jieba.get_dict_file().name
        info = os.stat(path)
        parts += [str(Path(path).resolve()), str(info.st_size), str(info.st_mtime_ns)]
    except (OSError, AttributeError, TypeError):
        parts.append("unknown")
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:16]


class CachedJieba:
    """Stands in for the jieba module in Material's search plugin: `cut` answers from the file when it can;
    every other name is jieba's own."""

    def __init__(self, jieba, path: Path | None):
        self._jieba = jieba
        self.path = path
        self.today = dt.date.today().toordinal()
        self.key: str | None = None
        self.entries: dict[str, list] = {}     # run -> [its words joined by SEPARATOR, the day it was last used]
        self.changed = False
        self.loaded = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._jieba, name)

    def begin(self) -> None:
        """Before a build: the file is read again at the first cut (another process may have added to it, the
        dictionary may have changed) and today is the day entries are marked used (`handbook serve` runs for
        days)."""
        self.today = dt.date.today().toordinal()
        self.loaded = False

    def _load(self) -> None:
        self.loaded = True
        self.key = _dictionary_key(self._jieba)
        self.entries = self._read()

    def _read(self) -> dict[str, list]:
        if self.path is None:
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data["entries"] if data.get("key") == self.key else {}
            # an entry whose words are not its run (a hand-edited or half-written file) is cut again
            return {run: [words, int(day)] for run, (words, day) in entries.items()
                    if isinstance(words, str) and words.replace(SEPARATOR, "") == run}
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return {}   # missing, damaged or from another jieba: cut again

    def cut(self, sentence, *args, **kwargs):
        if args or kwargs:         # not how the search plugin cuts: jieba itself
            return self._jieba.cut(sentence, *args, **kwargs)
        if not self.loaded:
            self._load()
        run = sentence.decode("utf-8") if isinstance(sentence, bytes) else sentence
        entry = self.entries.get(run)
        if entry is None or SEPARATOR in run:
            words = list(self._jieba.cut(run))
            if SEPARATOR in run:
                return words
            entry = self.entries[run] = [SEPARATOR.join(words), self.today]
            self.changed = True
        elif entry[1] != self.today:
            entry[1] = self.today
            self.changed = True
        return entry[0].split(SEPARATOR)

    def save(self) -> None:
        """Write what changed (new runs, or runs first used today), merged with what other processes wrote
        meanwhile, without the runs not used for `STALE_DAYS`; never fails the build."""
        if not self.changed or self.path is None:
            return
        merged = self._read()
        for run, entry in self.entries.items():
            if run not in merged or merged[run][1] < entry[1]:
                merged[run] = entry
        oldest = self.today - STALE_DAYS
        kept = {run: entry for run, entry in merged.items() if entry[1] >= oldest}
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            partial.write_text(json.dumps({"key": self.key, "entries": kept}, ensure_ascii=False,
                                          separators=(",", ":")), encoding="utf-8")
            os.replace(partial, self.path)
        except (OSError, ValueError):    # a full or read-only folder; text that cannot be written as UTF-8
            partial.unlink(missing_ok=True)
            return
        self.entries = kept
        self.changed = False


def remembered_segments(search_plugin) -> CachedJieba | None:
    """Make the search plugin's jieba the remembering one (once per process; the same one for every build
    after: `CachedJieba.begin` before each) and return it; None when the plugin does not segment with jieba
    or names its own dictionaries."""
    if search_plugin is None:
        return None
    config = getattr(search_plugin, "config", None)
    if config is None or config.get("jieba_dict") or config.get("jieba_dict_user"):
        return None
    module = sys.modules.get(type(search_plugin).__module__)
    jieba = getattr(module, "jieba", None)
    if jieba is None:
        return None
    if isinstance(jieba, CachedJieba):
        return jieba
    folder = cache_folder()
    cached = CachedJieba(jieba, folder / FILE_NAME if folder else None)
    module.jieba = cached   # type: ignore[union-attr]
    return cached
