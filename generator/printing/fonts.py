"""A subset of the CJK font cut once per build: sheets render twice as fast and a quarter the size.

For every PDF, WeasyPrint loads the system's Noto Sans CJK collection (about 20 MB), subsets it
and keeps the original glyph ids, which is a third of a sheet's rendering time and most of its
~360 KB. Printed sheets only use the characters of the standards and of this package's printed
templates and texts, so those are cut out of the font once (fontTools, the library WeasyPrint uses
itself; kept in the PDF cache folder by content) and declared with @font-face under a family of our
own, put first in the sheet stylesheet's font stack. A character outside the subset (a name typed
into a focus issue, say) falls back to the system font, as before. Without fontconfig's `fc-match`,
the font or a cache folder, sheets render with the system font as they always did.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import logging
import os
import shutil
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

FAMILY = "Noto Sans CJK SC"
SUBSET_FAMILY = "Handbook Sans CJK"
WEIGHTS = (("400", "Regular"), ("700", "Bold"))
_ALWAYS = {chr(c) for c in range(0x20, 0x7F)} | set("　、。，．：；？！…—～·‘’“”（）《》【】「」〔〕☐☑✓✗×÷±≤≥％℃")


# What printed sheets are made of: their templates and stylesheet, and the code whose texts they carry
# (labels, focus-list reasons, questionnaire and exam wording). Other texts (site pages, messages) are
# left out, so editing them does not change the subset and with it every cached PDF.
# These are the printing stage's own (the checklists' sheets); each instrument declares its own
# (`Instrument.printed_sources`), which the caller hands to `font_faces` (`Context.printed_sources`).
# The method pages' module is not printed: it is listed because the method pages' texts were one module
# (instruments/method_pages.py) that was, and dropping it would change the subset and every PDF once.
# The results stage's printables (the weekly report and the quarter's assessment, `results.publish`) are
# listed here too, as every PDF of a build is set in this one subset: their templates and stylesheet and the
# code whose texts they print (the figures' changes, the report's notes, the suggestions and action states).
PRINTED_SOURCES = ("templates/print", "assets/print", "printing", "inspection.py", "results/focus.py",
                   "site/method_pages.py", "templates/results/weekly_report.html",
                   "templates/results/assessment_report.html", "templates/results/weekly_report.css",
                   "results/weekly.py", "results/report_pages.py", "results/scoring.py")


def package_characters(sources: Iterable[str]) -> frozenset[str]:
    """Every character in the package's printed templates and the code whose texts sheets carry: the
    printing stage's (`PRINTED_SOURCES`) and `sources` (package paths, the instruments' `printed_sources`)."""
    return _characters(tuple(sorted({*PRINTED_SOURCES, *sources})))


@lru_cache(maxsize=4)
def _characters(sources: tuple[str, ...]) -> frozenset[str]:
    root = resources.files("generator")
    chars: set[str] = set()
    stack = [root.joinpath(*name.split("/")) for name in sources]
    while stack:
        entry = stack.pop()
        if entry.is_dir():
            stack.extend(child for child in entry.iterdir() if child.name != "__pycache__")
        elif entry.is_file() and entry.name.endswith((".py", ".html", ".css", ".j2", ".md", ".yaml", ".txt")):
            chars.update(entry.read_text(encoding="utf-8"))
    return frozenset(chars)


def standards_characters(standards) -> set[str]:
    """Every character of the standards' texts (items, clauses, projects, methods, meeting issues)."""
    chars: set[str] = set()
    for part in (standards.procedure, standards.organisation, standards.checklists_file, standards.methods_file):
        chars.update(part.model_dump_json())
    return chars


@lru_cache(maxsize=None)
def _locate(style: str) -> tuple[Path, int] | None:
    """(file, index in a collection) of the system's Noto Sans CJK SC in `style`, via fontconfig; asked once
    per process (a build asks for every kind of printable, and each `fc-match` is a process of its own)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        out = subprocess.run([fc_match, "-f", "%{file}\t%{index}\t%{family}", f"{FAMILY}:style={style}"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
        path, index, families = out.split("\t", 2)
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    if FAMILY not in families.split(","):   # fontconfig answers with some other font when it lacks this one
        return None
    return Path(path), int(index)


def _cut(source: Path, index: int, chars: set[str], target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    logging.getLogger("fontTools").setLevel(logging.ERROR)
    if source.suffix.lower() in (".ttc", ".otc"):
        font = TTCollection(str(source), lazy=True).fonts[index]
    else:
        font = TTFont(str(source), lazy=True)
    options = subset.Options()
    options.layout_features = ["*"]        # vertical forms, proportional punctuation: shape as the full font
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    # the font's head keeps the source's dates instead of the time of saving: the same characters cut from
    # the same font give the same bytes, so a cache emptied and filled again gives the same PDFs
    font.recalcTimestamp = False
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(str(partial))
    os.replace(partial, target)


def font_faces(standards, cache_dir: Path | None, sources: Iterable[str]) -> str:
    """@font-face rules for the subset fonts (cut now if the cache lacks them), or '' when unavailable.
    The subset covers the standards, the printing stage's sources and `sources` (every instrument's
    `printed_sources`, handed down by the caller: printing/ never imports an instrument)."""
    if cache_dir is None:
        return ""
    chars = set(package_characters(sources)) | standards_characters(standards) | _ALWAYS
    chars = {c for c in chars if c.isprintable() and not c.isspace() or c == " "}
    rules = []
    for weight, style in WEIGHTS:
        found = _locate(style)
        if found is None:
            return ""
        source, index = found
        try:
            stat = source.stat()
        except OSError:   # the font went away since it was looked up: look again next time, the system font now
            _locate.cache_clear()
            return ""
        key = hashlib.sha256("\0".join([
            str(source), str(index), str(stat.st_size), str(stat.st_mtime_ns),
            importlib.metadata.version("fonttools"), "".join(sorted(chars))]).encode()).hexdigest()[:24]
        target = Path(cache_dir) / f"font-{key}-{style}.otf"
        try:
            os.utime(target)   # used by this build: `pdf.prune_cache` keeps it
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _cut(source, index, chars, target)
            except Exception:   # a font fontTools cannot cut: render with the system font as before
                return ""
        rules.append(f'@font-face {{ font-family: "{SUBSET_FAMILY}"; font-weight: {weight}; '
                     f'src: url("{target.resolve().as_uri()}"); }}\n')
    return "".join(rules)


def subset_first(text: str, faces: str) -> str:
    """A stylesheet (or a page's inline style) with the subset family first wherever it names the CJK
    font; unchanged when there are no faces. The faces themselves go into the renderer's stylesheet."""
    if not faces:
        return text
    return text.replace(f'"{FAMILY}"', f'"{SUBSET_FAMILY}", "{FAMILY}"')
