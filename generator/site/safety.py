"""What keeps a build from deleting or leaking anything: the output guard, the build lock, the sources check.

- **The output folder** (`check_out_dir`) is replaced whole by a build, so it is replaced only when it is
  missing, empty, or carries the marker file a previous build wrote (`MARKER`), and never when it is or
  contains the repository, a store, the standards, the site sources or the forms folder.
- **One build at a time** (`build_lock`): builds and `serve` rebuilds that share the site sources (they
  generate pages into them) or the output's folder (the swap, the scratch folders) wait for each other,
  so a build never publishes pages another build generated. Scratch folders (`.build-xxxxxxxx`) and
  generated configs a killed build left are removed under that lock (`remove_stale_scratch`).
- **The sources** (`check_sources`): a symbolic link in the site sources that leads out of them, or a file
  whose name or content looks like a credential (keys, service-account JSON, `.env` files, robot
  webhook keys), stops the build before the engine copies anything.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..errors import HandbookError
from ..messages import Msg

# Written into the root of every site a build publishes: the folder may be replaced by the next build.
MARKER = ".handbook-build"
MARKER_TEXT = "此文件夹由 handbook build 生成，下次构建会整个替换它；请不要在这里存放其他文件。\n"
SCRATCH = re.compile(r"\.build-[0-9a-f]{8}")   # a build's scratch folder beside the output
STALE_CONFIG = re.compile(r"\.handbook-build-[0-9a-f]{8}\.yml")   # a build's config beside mkdocs.yml

# Files never published, by name (lower-case glob patterns).
CREDENTIAL_NAMES = ("*.env", ".env", ".env.*", "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore",
                    "*.kdbx", "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", ".netrc", ".pgpass",
                    "*htpasswd", "credentials*.json", "*service_account*.json", "*service-account*.json",
                    "client_secret*.json")
# ... and by content (what the file holds, whatever its name).
CREDENTIAL_CONTENT = (
    (re.compile(rb'"type"\s*:\s*"service_account"'), "Google 服务账号密钥"),
    (re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----"), "私钥"),
    (re.compile(rb'"private_key"\s*:\s*"-----BEGIN'), "私钥"),
    (re.compile(rb"qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=[0-9a-fA-F-]{16,}"), "企业微信机器人密钥"),
    (re.compile(rb"oapi\.dingtalk\.com/robot/send\?access_token=[0-9a-fA-F]{16,}"), "钉钉机器人密钥"),
    # a filled-in credentials file of `handbook notify` (the maintenance page's example shows placeholders)
    (re.compile(rb"^[ \t]*(?:export[ \t]+)?HANDBOOK_[A-Z0-9_]+[ \t]*=[ \t]*['\"]?[A-Za-z0-9+/_=-]{16,}['\"]?[ \t]*$",
                re.M), "通知凭据"),
)
# Files whose content is not text (not searched; their names still are).
BINARY = {".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico", ".woff", ".woff2", ".ttf", ".otf"}
CONTENT_LIMIT = 4 * 1024 * 1024   # bytes searched per file


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def repository_root(folder: Path) -> Path:
    """The git repository holding `folder` (the nearest parent with `.git`), else `folder` itself."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def shown(path: Path) -> Path:
    """`path` as messages print it: relative to the current folder when inside it, else absolute."""
    try:
        return path.relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def check_out_dir(out_dir: Path, protected: Iterable[tuple[str, Path]]) -> None:
    """Raise HandbookError (one Chinese line, nothing touched) unless a build may replace `out_dir`:
    it must not be nor contain (nor lie inside the site sources among) the `protected` (label, path)
    pairs, and it must be missing, an empty folder, or a folder a previous build wrote (its `MARKER`)."""
    out = out_dir.resolve()
    for what, path in protected:
        path = path.resolve()
        if _inside(path, out):
            relation = "就是" if path == out else "包含"
            raise HandbookError(Msg.OUT_PROTECTED, out=out_dir, relation=relation, what=what,
                                path=shown(path))
        if what == "网站源文件夹" and _inside(out, path):
            raise HandbookError(Msg.OUT_PROTECTED, out=out_dir, relation="位于", what=what, path=shown(path))
    if out_dir.is_symlink() and not out_dir.exists():
        raise HandbookError(Msg.OUT_NOT_OURS, out=out_dir, marker=MARKER)
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise HandbookError(Msg.OUT_NOT_FOLDER, out=out_dir)
    if (out_dir / MARKER).is_file() or _site_before_marker(out_dir):
        return
    try:
        empty = next(out_dir.iterdir(), None) is None
    except OSError as exc:
        raise HandbookError(Msg.OUT_NOT_OURS, out=out_dir, marker=MARKER) from exc
    if not empty:
        raise HandbookError(Msg.OUT_NOT_OURS, out=out_dir, marker=MARKER)


def _site_before_marker(folder: Path) -> bool:
    """A site `handbook build` wrote before it marked its output: the home page, a search index (either
    engine's) and the printable sheets' folder."""
    return ((folder / "index.html").is_file() and (folder / "print").is_dir()
            and ((folder / "search" / "search_index.json").is_file() or (folder / "search.json").is_file()))


def write_marker(site_dir: Path) -> None:
    """Mark a freshly built site as the build's own (the next build may replace it)."""
    (site_dir / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


@contextlib.contextmanager
def build_lock(folders: Iterable[Path], on_wait: Callable[[Path], None] | None = None) -> Iterator[None]:
    """Hold the build lock of each folder for the block: an exclusive `flock` on the folder itself (no lock
    file is left anywhere).

    Locks are taken in one order (sorted paths), so two builds never wait for each other in a circle;
    `on_wait(folder)` is called once when another build holds one. The kernel frees the locks of a
    process that dies, so a killed build never blocks the next one."""
    with contextlib.ExitStack() as stack:
        for folder in sorted({f.resolve() for f in folders}):
            folder.mkdir(parents=True, exist_ok=True)
            handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            stack.callback(os.close, handle)
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if on_wait is not None:
                    on_wait(folder)
                fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def remove_stale_scratch(folder: Path, config_folder: Path | None = None) -> list[Path]:
    """Remove what a killed build left: its scratch folder (`.build-xxxxxxxx`) in `folder` and its generated
    config (`.handbook-build-xxxxxxxx.yml`) in `config_folder`. Call it holding both folders' build locks
    (every build that makes one there holds them). Returns what was removed."""
    import shutil

    removed = []
    for entry in (folder.iterdir() if folder.is_dir() else ()):
        if SCRATCH.fullmatch(entry.name) and entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    if config_folder is not None and config_folder.is_dir():
        for entry in config_folder.glob(".handbook-build-*.yml"):
            if STALE_CONFIG.fullmatch(entry.name) and entry.is_file() and not entry.is_symlink():
                entry.unlink(missing_ok=True)
                removed.append(entry)
    return removed


def _credential_name(name: str) -> bool:
    from fnmatch import fnmatchcase

    lower = name.lower()
    return any(fnmatchcase(lower, pattern) for pattern in CREDENTIAL_NAMES)


def _credential_content(path: Path) -> str | None:
    if path.suffix.lower() in BINARY:
        return None
    try:
        with open(path, "rb") as handle:
            data = handle.read(CONTENT_LIMIT)
    except OSError:
        return None
    for pattern, what in CREDENTIAL_CONTENT:
        if pattern.search(data):
            return what
    return None


def theme_dir(config_file: Path) -> Path | None:
    """The theme overrides folder `config_file` names (`theme.custom_dir`): the engine copies its files
    into the site as well. None when there is none (or the config is not plain YAML)."""
    import yaml

    try:
        config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
        custom = config["theme"]["custom_dir"]
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None
    return config_file.parent / custom if isinstance(custom, str) else None


def check_sources(docs_dir: Path, config_file: Path | None = None) -> None:
    """Raise HandbookError naming the first file of the site sources (the docs folder and the theme
    overrides of `config_file`) the build must not publish: a symbolic link leading out of its folder (or
    nowhere), or a file whose name or content looks like a credential. Links are never followed."""
    overrides = theme_dir(config_file) if config_file else None
    for folder in (docs_dir, *([overrides] if overrides and overrides.is_dir() else [])):
        _check_folder(folder)


def _check_folder(docs_dir: Path) -> None:
    root = docs_dir.resolve()
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        for name in sorted(dirs + files):
            path = Path(folder) / name
            shown = docs_dir / path.relative_to(root)
            if path.is_symlink():
                target = Path(os.path.realpath(path))
                if not target.exists() or not _inside(target, root):
                    raise HandbookError(Msg.SOURCE_LINK_OUTSIDE, path=shown, target=os.readlink(path),
                                        docs=docs_dir)
                if target.is_dir():
                    continue      # a link to a folder inside the sources: that folder is checked itself
            if name in dirs:
                continue
            if _credential_name(name):
                raise HandbookError(Msg.SOURCE_CREDENTIAL, path=shown, why="文件名", docs=docs_dir)
            what = _credential_content(path)
            if what:
                raise HandbookError(Msg.SOURCE_CREDENTIAL, path=shown, why=f"内容像{what}", docs=docs_dir)
