"""The one place the build talks to the site engine: MkDocs + Material (the default) or Zensical.

`build_with_engine` writes a generated config *inside the project* (beside mkdocs.yml, git-ignored,
removed after the build): `INHERIT: mkdocs.yml` plus what the build computes (the navigation,
`not_in_nav`, the copyright line, where the pages are and where the site goes). It builds into a folder
the engine accepts (Zensical refuses a `site_dir` outside the config's folder), turns the engine's
complaints into our one-line messages (MkDocs' logger, Zensical's stderr and exit status), and removes
the theme files that engine emits but the site never loads.

Which engine: `engine=` (the CLI's `--engine`), else the HANDBOOK_ENGINE environment variable, else MkDocs.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

import yaml
from markupsafe import escape

from ..errors import HandbookError
from ..messages import Msg
from ..templating import bytecode_cache
from .only_with import ONLY_WITH
from .segments import remembered_segments

ENGINES = ("mkdocs", "zensical")
DEFAULT_ENGINE = "mkdocs"
ENGINE_ENV = "HANDBOOK_ENGINE"
GENERATED_CONFIG = ".handbook-build-{}.yml"    # beside mkdocs.yml, one per build; git-ignored; removed after it
ZENSICAL_CONFIG = GENERATED_CONFIG.format("zensical")   # one name: Zensical's cache is keyed by it
ZENSICAL_BUILD = ".build-zensical"                      # Zensical's site_dir (+ a lock), inside the project
HOOKS = Path(__file__).with_name("mkdocs_hooks.py")   # handed to MkDocs as a hooks file (not imported here)
# Zensical runs no MkDocs hooks: the same `only-with` blocks are dropped by a Markdown extension
ONLY_WITH_EXTENSION = "generator.site.only_with"

# Theme files each engine copies that this site never loads.
UNUSED_THEME_FILES = {
    # Material: source maps (developer tools only) and lunr's word splitters for Thai/Hindi and
    # Japanese (the search language is zh)
    "mkdocs": ("assets/**/*.map", "assets/javascripts/lunr/wordcut.js", "assets/javascripts/lunr/tinyseg.js"),
    # Zensical: source maps and the stylesheets of the `modern` variant (mkdocs.yml pins `classic`)
    "zensical": ("assets/**/*.map", "assets/stylesheets/modern/*"),
}
# The search index each engine writes (relative to the site folder).
SEARCH_INDEX = {"mkdocs": "search/search_index.json", "zensical": "search.json"}


def choose_engine(name: str | None = None) -> str:
    """The engine to build with: `name`, else $HANDBOOK_ENGINE, else MkDocs; one Chinese line when the
    name is unknown or Zensical is asked for but not installed."""
    source = "--engine"
    if not name:
        name, source = os.environ.get(ENGINE_ENV, "").strip(), ENGINE_ENV
    if not name:
        return DEFAULT_ENGINE
    engine = name.strip().lower()
    if engine not in ENGINES:
        raise HandbookError(Msg.ENGINE_UNKNOWN, name=name, source=source, choices="、".join(ENGINES))
    if engine == "zensical" and importlib.util.find_spec("zensical") is None:
        raise HandbookError(Msg.ENGINE_MISSING, source=source)
    return engine


def engine_installed(engine: str) -> bool:
    """Whether `engine` can run here (MkDocs always can: it is a dependency)."""
    return engine == DEFAULT_ENGINE or importlib.util.find_spec(engine) is not None


def write_config(config_file: Path, docs_dir: Path, site_dir: Path, *, engine: str, nav: list,
                 not_in_nav: list[str], copyright: str, name: str | None = None) -> Path:
    """The generated config beside `config_file` (named `name`, else a new name): `INHERIT` it plus what
    this build computed."""
    generated = config_file.parent / (name or GENERATED_CONFIG.format(uuid.uuid4().hex[:8]))
    root = config_file.parent.resolve()
    # relative to the config's folder where they can be (Zensical panics on an absolute docs_dir)
    config: dict = {"INHERIT": config_file.name, "docs_dir": _relative(docs_dir, root),
                    "site_dir": _relative(site_dir, root), "nav": escaped_nav(nav), "copyright": str(escape(copyright)),
                    "strict": True}
    if not_in_nav:
        config["not_in_nav"] = "\n".join(not_in_nav)
    if engine == "mkdocs":
        config["hooks"] = [str(HOOKS)]
    else:
        # Zensical appends list items to the inherited ones (MkDocs would replace the list)
        targets, present = only_with_targets(docs_dir)
        config["markdown_extensions"] = [{ONLY_WITH_EXTENSION: {"present": present}}]
        if set(targets) - set(present):
            # Zensical checks links in the Markdown source, before the extension drops the block: a
            # dropped block's link to a page this build does not have would fail the build. Its other
            # links then go unchecked in this build (a `--handbook-only` build); MkDocs checks them all.
            config["validation"] = {"links": {"not_found": "ignore"}}
    generated.write_text("# Written by `handbook build` for one build, then removed; do not edit.\n"
                         + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return generated


def escaped_nav(nav):
    """The navigation with every title HTML-escaped: the theme prints titles as they are, and titles are
    names from the standards (data: `<script>` in a project's name is shown, never run)."""
    if isinstance(nav, list):
        return [escaped_nav(entry) for entry in nav]
    if isinstance(nav, dict):
        return {str(escape(title)): escaped_nav(entry) for title, entry in nav.items()}
    return nav


def _relative(path: Path, root: Path) -> str:
    path = path.resolve()
    return os.path.relpath(path, root) if path.is_relative_to(root) else str(path)


def only_with_targets(docs_dir: Path) -> tuple[list[str], list[str]]:
    """The `only-with` targets of the pages, and those of them this build has (so
    that a change of which exist changes the config, and Zensical's page cache renders them again)."""
    targets = set()
    for page in docs_dir.rglob("*.md"):
        targets.update(m.group(1) for m in ONLY_WITH.finditer(page.read_text(encoding="utf-8")))
    return sorted(targets), sorted(t for t in targets if (docs_dir / t).is_file())


def build_with_engine(engine: str, config_file: Path, docs_dir: Path, staged: Path, *, nav: list,
                      not_in_nav: list[str], copyright: str) -> "EngineState | None":
    """Build the site into the new folder `staged` with `engine`; raises HandbookError with its messages.

    Returns what `render_pages` needs to render single pages again later (MkDocs only; None for Zensical).
    The generated config is removed afterwards, whether the build worked or not."""
    config_file = config_file.resolve()
    state = None
    if engine == "mkdocs":
        generated = write_config(config_file, docs_dir, staged, engine=engine, nav=nav, not_in_nav=not_in_nav,
                                 copyright=copyright)
        try:
            state = _run_mkdocs(generated)
        finally:
            generated.unlink(missing_ok=True)
    else:
        # Zensical builds only inside the config's folder, and its page cache (.cache/) is kept only for the
        # same config file and site_dir: always the same two names, one build at a time, then moved.
        work = config_file.parent / ZENSICAL_BUILD
        work.mkdir(exist_ok=True)
        with open(work / "lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            target = work / "site"
            shutil.rmtree(target, ignore_errors=True)
            generated = write_config(config_file, docs_dir, target, engine=engine, nav=nav,
                                     not_in_nav=not_in_nav, copyright=copyright, name=ZENSICAL_CONFIG)
            try:
                _run_zensical(generated)
                shutil.move(str(target), str(staged))
            finally:
                generated.unlink(missing_ok=True)
                shutil.rmtree(target, ignore_errors=True)
    prune_theme_files(engine, staged)
    return state


class _Collect(logging.Handler):
    """Keeps MkDocs' warnings and errors so a failed build can show them."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _quiet_libraries() -> None:
    # jieba announces its dictionary loading on stderr at INFO level; MkDocs chats at INFO too.
    logging.getLogger("jieba").setLevel(logging.WARNING)
    try:
        import jieba
        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # pragma: no cover - jieba is a dependency
        pass


def _failed(engine: str, reason, details: list[str]) -> HandbookError:
    lines = "\n".join(f"  {m}" for m in details)
    reason = f"{reason}\n{lines}" if lines else reason   # the engine's own lines follow, indented
    if engine == "mkdocs":
        return HandbookError(Msg.MKDOCS_FAILED, reason=reason)
    return HandbookError(Msg.ENGINE_FAILED, engine=engine, reason=reason)


@dataclass
class EngineState:
    """What a full MkDocs build leaves for rendering single pages again: the loaded config (the plugins'
    `on_config` run), the files, the navigation (every page read and rendered: titles, tables of contents,
    anchors) and the theme's template environment. `usable` turns False once a page was rendered again
    but the site could not take it alone (the in-memory pages then no longer match the served site)."""

    config: Any
    files: Any
    nav: Any
    env: Any
    usable: bool = True


class PagesNeedFullBuild(Exception):
    """The changed pages cannot be rendered alone; `reason` (Chinese, for the serve log) says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _capture_plugin(state: dict):
    from mkdocs.plugins import BasePlugin

    class Capture(BasePlugin):
        """Keeps the navigation and the template environment of the build (the last `on_nav`/`on_env`)."""

        def on_nav(self, nav, *, config, files):
            state["nav"], state["files"] = nav, files
            return nav

        def on_env(self, env, *, config, files):
            if env.bytecode_cache is None:      # the theme's templates compiled once, not in every build
                env.bytecode_cache = bytecode_cache()
            state["env"], state["files"] = env, files
            return env

    for event in ("on_nav", "on_env"):
        getattr(Capture, event).mkdocs_priority = -1000     # after every other plugin's
    return Capture()


def _run_mkdocs(config_file: Path) -> EngineState:
    """`mkdocs build --strict` in-process; MkDocs' warnings and errors are collected from its logger."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    _quiet_libraries()
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    captured: dict = {}
    segments = None
    try:
        config = load_config(config_file=str(config_file))
        config.plugins["handbook-capture"] = _capture_plugin(captured)
        segments = remembered_segments(_search_plugin(config))   # jieba's dictionary loaded only for new words
        if segments is not None:
            segments.begin()
        build(config)
    except (MkDocsException, OSError, ValueError) as exc:
        raise _failed("mkdocs", exc, collect.messages) from None
    finally:
        logger.removeHandler(collect)
        if segments is not None:
            segments.save()
    _keep_light(config, captured["files"])
    return EngineState(config, captured["files"], captured["nav"], captured["env"])


def _search_plugin(config):
    return config.plugins.get("material/search") or config.plugins.get("search")


def _keep_light(config, files) -> None:
    """What the state keeps of each page is what rendering another page alone needs (its title, URL, table of
    contents and anchors): each page's Markdown and HTML are dropped (a page rendered again reads its own source),
    and so is the search plugin's index of the build (it is in the site; `render_pages` splices into that file).
    At 300 projects they were most of what `handbook serve` held between changes."""
    for file in files.documentation_pages():
        if file.page is not None:
            file.page.markdown = ""    # not None: MkDocs then has no title for it (other pages' links name it)
            file.page.content = None
    search = _search_plugin(config)
    if search is not None and getattr(search, "search_index", None) is not None:
        search.search_index = type(search.search_index)(**search.config)


def render_pages(state: EngineState | None, changed: Iterable[Path], docs_dir: Path, site_dir: Path) -> list[str]:
    """Render the changed hand-written Markdown pages again, alone, into the built `site_dir`, with MkDocs'
    own per-page steps and the plugins' page events (our hooks, Material's search), and splice their
    entries into the search index. Returns the pages rendered (docs-relative).

    Raises `PagesNeedFullBuild` when the change is not a plain content change of existing pages: a page
    added, removed or not Markdown, a page whose title or front matter changed (other pages' navigation
    shows it), any warning (strict: the full build reports it), or no state (Zensical, a failed build).
    Nothing in `site_dir` is changed then."""
    if state is None or not state.usable:
        raise PagesNeedFullBuild("Zensical 引擎" if state is None else "上次的单页渲染未完成")
    from mkdocs.commands.build import get_context
    from mkdocs.structure.files import InclusionLevel

    config, files, nav, env = state.config, state.files, state.nav, state.env
    docs = docs_dir.resolve()
    pages = []
    for path in changed:
        rel = path.resolve().relative_to(docs).as_posix()
        file = files.get_file_from_path(rel)
        if not path.is_file() or file is None:
            raise PagesNeedFullBuild(f"新增或删除了 {rel}")
        if not file.is_documentation_page() or file.page is None or not file.inclusion.is_included():
            raise PagesNeedFullBuild(f"{rel} 不是 Markdown 页面")
        pages.append(file.page)

    state.usable = False          # until every page is through: a failure leaves the pages half-read
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collect)
    outputs: dict[str, str] = {}
    search = _search_plugin(config)
    entries: dict[str, list] = {}
    try:
        for page in pages:        # as `mkdocs.commands.build._populate_page`
            title, meta = page.title, dict(page.meta)
            config._current_page = page
            try:
                page = config.plugins.on_pre_page(page, config=config, files=files)
                page.read_source(config)
                page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config,
                                                                files=files)
                page.render(config, files)
                page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
            finally:
                config._current_page = None
            if page.title != title or dict(page.meta) != meta:
                raise PagesNeedFullBuild(f"{page.file.src_uri} 的标题或页首设置改变了")
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for file in doc_files:    # links into a changed page's anchors, from every page
            file.page.validate_anchor_links(files=files, log_level=config.validation.links.anchors)
        if collect.messages:
            raise PagesNeedFullBuild("页面有警告")
        for page in pages:        # as `mkdocs.commands.build._build_page`
            config._current_page = page
            page.active = True
            try:
                if search is not None:
                    search.search_index = type(search.search_index)(**search.config)
                context = get_context(nav, doc_files, config, page)
                template = env.get_template(page.meta.get("template", "main.html"))
                context = config.plugins.on_page_context(context, page=page, config=config, nav=nav)
                output = template.render(context)
                outputs[page.file.dest_uri] = config.plugins.on_post_page(output, page=page, config=config)
                if search is not None:
                    entries[page.url] = search.search_index.entries
            finally:
                page.active = False
                config._current_page = None
        if collect.messages:
            raise PagesNeedFullBuild("页面有警告")
    except PagesNeedFullBuild:
        raise
    except Exception as exc:      # noqa: BLE001 - anything MkDocs or a plugin raises: the full build says it
        raise PagesNeedFullBuild(f"渲染出错：{one_line_reason(exc)}") from None
    finally:
        logger.removeHandler(collect)
    segments = remembered_segments(search)
    if segments is not None:
        segments.save()
    for dest, output in outputs.items():
        _write_atomically(site_dir / dest, output.encode("utf-8", errors="xmlcharrefreplace"))
    if search is not None and entries:
        _splice_search_index(site_dir / SEARCH_INDEX["mkdocs"], entries)
    state.usable = True
    return [page.file.src_uri for page in pages]


def one_line_reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _write_atomically(target: Path, data: bytes) -> None:
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def _splice_search_index(index: Path, entries: dict[str, list]) -> None:
    """Replace in the search index the entries of each page (by its URL: `location` up to `#`) with the new
    ones, in the old ones' place."""
    data = json.loads(index.read_text(encoding="utf-8"))
    docs: list = []
    placed: set[str] = set()
    for entry in data["docs"]:
        url = entry["location"].split("#", 1)[0]
        if url in entries:
            if url not in placed:
                docs.extend(entries[url])
                placed.add(url)
        else:
            docs.append(entry)
    for url, new in entries.items():
        if url not in placed:
            docs.extend(new)
    data["docs"] = docs
    _write_atomically(index, json.dumps(data, separators=(",", ":"), default=str).encode("utf-8"))


ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX = re.compile(r"^[\s│╭╰─┬┴╮╯\d]*[│╭╰]")


def zensical_messages(output: str) -> tuple[str, list[str]]:
    """(reason, details) from what `zensical build` printed: the final `Error:`/exception line, and each
    warning with the place it names (`page does not exist (index.md:3:5)`)."""
    lines = [ANSI.sub("", line).rstrip() for line in output.splitlines()]
    reason, details = "", []
    for i, line in enumerate(lines):
        text = line.strip()
        if text.startswith(("Warning:", "Error:")) and i + 1 < len(lines) and "[" in lines[i + 1] \
                and text.startswith("Warning:"):
            place = lines[i + 1].split("[", 1)[1].split("]", 1)[0].strip()
            details.append(f"{text.split(':', 1)[1].strip()}（{place}）")
        elif text.startswith("Warning:"):
            details.append(text.split(":", 1)[1].strip())
        elif re.match(r"^(Error|[A-Za-z]*Error|[A-Za-z]*Exception): ", text):
            reason = text.split(": ", 1)[1]
    return reason or (details[-1] if details else "退出状态非零"), details


def _run_zensical(config_file: Path) -> None:
    """`zensical build --strict` in a child process (its Rust runtime keeps global state and prints to the
    real stderr); its output is read for the messages when it fails."""
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run([sys.executable, "-m", "zensical", "build", "--config-file", str(config_file), "--strict"],
                          cwd=config_file.parent, env=env, capture_output=True, text=True, encoding="utf-8",
                          errors="replace")
    if done.returncode != 0:
        reason, details = zensical_messages(done.stdout + "\n" + done.stderr)
        raise _failed("zensical", reason, details)


def prune_theme_files(engine: str, site_dir: Path) -> int:
    """Delete theme files the site never loads; returns the bytes saved."""
    saved = 0
    for pattern in UNUSED_THEME_FILES[engine]:
        for path in site_dir.glob(pattern):
            if path.is_file():
                saved += path.stat().st_size
                path.unlink()
    return saved
