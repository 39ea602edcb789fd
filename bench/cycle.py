"""The weekly cycle as it runs in production, side by side with its floors (the cycle targets), for bench/run.py.

A copy of the project (the site sources, the company's standards, a forms lock with a form for every
checklist so the sheets print their QR codes, as after `handbook forms push`) is built on week 1's date
(the day after the year's data); then, each repetition from the same starting point (week 1's store,
PDF cache and site):

1. `handbook ingest --file <the new week>` on week 2's date (a week later),
2. `handbook build --store` on week 2's date with week 1's caches,
3. a plain `mkdocs build` of the docs folder that build left, with the config the build generated for the
   engine (the same pages, navigation and hooks), into another folder,
4. `sqlite-utils insert --csv` of the same week's rows into a copy of week 1's store,
5. (after the repetitions) step 1 again into week 1's store as it was before its latest closed quarter was
   archived: the ingest in the week a quarter closes, which archives it (4 times a year),

each a child process measured alone (wall, CPU with its workers, peak RSS of its largest process) and the
1-minute load average as it started and ended. Then the two weekly sites are compared file by file, the
PDF cache is measured against what the site publishes, and a warm rebuild's CPU is compared with the same
at a third of the projects.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import re
import shutil
import sqlite3
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path

import ingest_peer

HERE = Path(__file__).resolve().parent
GENERATED = {"standards", "roles", "checklists", "print", "results", "methods", "exam", "survey"}
KEEP_CONFIG = ".bench-plain.yml"      # the generated config kept for the plain mkdocs build


@dataclass
class Cycle:
    """What one run of the cycle measured (lists: one entry per repetition)."""

    ingest: list = field(default_factory=list)      # ingest_peer.Child
    build: list = field(default_factory=list)
    mkdocs: list = field(default_factory=list)
    peer: list = field(default_factory=list)        # sqlite-utils insert of the week
    rendered: list = field(default_factory=list)    # PDFs rendered (new cache files) by each week-2 build
    first: object = None                            # week 1's build with an empty cache
    warm: object = None                             # week 1's build again, every cache warm
    differ: dict = field(default_factory=dict)      # kind -> files of public/ that differ between the weeks
    same: int = 0                                   # files of public/ identical between the weeks
    cache_week1: tuple = (0, 0)                     # (bytes, files) of the PDF cache after week 1
    cache_week2: tuple = (0, 0)
    published_pdfs: tuple = (0, 0)                  # (bytes, files) of the PDFs week 2's site publishes
    largest_page: tuple = ("", 0)                   # (path, bytes) of the largest HTML page of week 2's site
    rendered_kinds: dict = field(default_factory=dict)   # kind of printable -> rendered again in week 2
    week_archived: tuple = ()                       # quarters the week-2 ingest archived (): an ordinary week
    quarter: str = ""                               # the quarter the quarter-close ingest archives ("": none)
    running: tuple = ("", "")                       # (newest week, newest quarter) with a page in week 1's site
    quarter_ingest: list = field(default_factory=list)   # the same ingest in the week that quarter closes


def at(day: dt.date, hour: int) -> str:
    """The moment a child's clock starts at: `hour` o'clock on `day` in China (the organisation's zone)."""
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8))).isoformat()


def handbook(when: str, args: list, cwd: Path, env: dict | None = None) -> ingest_peer.Child:
    """`handbook <args>` with its clock at `when` (bench/at_date.py), measured alone."""
    return ingest_peer.run_child([sys.executable, str(HERE / "at_date.py"), when, "handbook", *map(str, args)],
                                 cwd, env)


def plain_mkdocs(when: str, project: Path) -> ingest_peer.Child:
    """A plain `mkdocs build` of the config the last build generated, into plain-public/."""
    return ingest_peer.run_child([sys.executable, str(HERE / "at_date.py"), when, "mkdocs", "build", "-q",
                                  "-f", str(project / KEEP_CONFIG)], project)


def project_copy(root: Path, dest: Path, standards: Path, lock_text: str) -> Path:
    """mkdocs.yml, overrides, the hand-written pages, the standards and the forms lock, in a new folder."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(root / "site", dest / "site", ignore=lambda folder, names: [
        n for n in names if Path(folder) == root / "site" and n in GENERATED])
    shutil.copyfile(root / "mkdocs.yml", dest / "mkdocs.yml")
    shutil.copytree(root / "overrides", dest / "overrides")
    shutil.copytree(standards, dest / "standards")
    (dest / "forms").mkdir()
    (dest / "forms" / "forms.lock.yaml").write_text(lock_text, encoding="utf-8")
    (dest / "data").mkdir()
    return dest


def production_lock(standards, instruments) -> str:
    """A forms lock as `handbook forms push` leaves it: every form with an id and its project question (the
    demo's lock without its 演示 mark), so every project's sheets print the QR code of a prefilled form."""
    from generator.demo import demo_lock
    from generator.forms.lock_file import write_lock
    import tempfile

    lock = demo_lock(standards, instruments)
    lock.pop("demo", None)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "forms.lock.yaml"
        write_lock(path, lock)
        return path.read_text(encoding="utf-8")


def archived_quarters(db: Path) -> set[str]:
    """The quarters whose assessment the store keeps (`assessment_archive`)."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {q for (q,) in conn.execute("SELECT quarter FROM assessment_archive")}
    finally:
        conn.close()


def before_close(store: Path, dest: Path) -> str:
    """A copy of `store` as it was before its latest closed quarter was archived (that quarter's archive and
    revisions taken out), so the next ingest archives it as the first run after its close day does; returns
    the quarter ("": no quarter of the data has closed, and `dest` is not written)."""
    quarters = archived_quarters(store)
    if not quarters:
        return ""
    quarter = max(quarters)
    shutil.copyfile(store, dest)
    conn = sqlite3.connect(dest, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.execute("DELETE FROM assessment_revisions WHERE quarter = ?", (quarter,))
        conn.execute("DELETE FROM assessment_archive WHERE quarter = ?", (quarter,))
        conn.execute("COMMIT")
    finally:
        conn.close()
    return quarter


def tree_size(path: Path, pattern: str = "*") -> tuple[int, int]:
    files = [p for p in path.rglob(pattern) if p.is_file()] if path.exists() else []
    return sum(p.stat().st_size for p in files), len(files)


def kind_of(rel: str) -> str:
    """Which kind of published file a path of public/ is (for the list of what differs between weeks)."""
    if rel.endswith(".pdf"):
        name = rel.rsplit("/", 1)[-1]
        # a project's printable is <kind>--<project>.pdf, or questioning-<project>.pdf (the weekly card)
        return "PDF " + re.sub(r"--.*|\.pdf$", "", "questioning" if name.startswith("questioning-") else name)
    if rel.startswith("results/weeks/"):
        return "weekly archive"
    if rel.startswith("results/quarters/"):
        return "quarter page"
    if rel.startswith("results/projects/"):
        return "project page"
    if rel.startswith("results/"):
        return "results " + ("download" if not rel.endswith(".html") else "page")
    if rel.startswith("search/"):
        return "search index"
    if rel.endswith((".xml", ".xml.gz")):
        return "sitemap"
    return "other page" if rel.endswith(".html") else "other file"


PERIOD = re.compile(r"results/(?:weeks|quarters)/(\d{4}-?[WQ]\d+)")


def period_of(rel: str) -> str:
    """The week (2027-W15) or quarter (2027Q1) a weekly archive's or quarter's page is of ("" for others)."""
    found = PERIOD.match(rel)
    return found.group(1) if found else ""


def running_periods(site: Path) -> tuple[str, str]:
    """The newest week and quarter that have a page in `site` (week 1's): they were running then, so their pages
    (and those of any later period) change by design; the earlier ones are closed."""
    weeks = {period_of(f"results/weeks/{p.name}") for p in (site / "results" / "weeks").glob("*")}
    quarters = {period_of(f"results/quarters/{p.name}") for p in (site / "results" / "quarters").glob("*")}
    return max(weeks - {""}, default=""), max(quarters - {""}, default="")


def compare_sites(old: Path, new: Path) -> tuple[dict[str, list[str]], int]:
    """Files of `new` that differ from (or are missing in) `old`, by kind, and how many are identical."""
    differ: dict[str, list[str]] = {}
    same = 0
    for path in sorted(new.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(new).as_posix()
        twin = old / rel
        if twin.is_file() and filecmp.cmp(twin, path, shallow=False):
            same += 1
        else:
            differ.setdefault(kind_of(rel), []).append(rel)
    return differ, same


def largest_page(site: Path) -> tuple[str, int]:
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    size, rel = max(pages) if pages else (0, "")
    return rel, size


def pdf_kind(name: str) -> str:
    return kind_of("print/" + name)


def run_cycle(root: Path, work: Path, std_dir: Path, year_store: Path, week_csv: Path, common: list,
              standards, instruments, day1: dt.date, reps: int, log) -> tuple[Cycle, Path]:
    """The weekly cycle (see the module's doc); returns what it measured and the project folder (week 2's
    site in public/, its store in data/week2.sqlite)."""
    c = Cycle()
    day2 = day1 + dt.timedelta(days=7)
    project = project_copy(root, work / "cycle", std_dir, production_lock(standards, instruments))
    store1 = project / "data" / "week1.sqlite"
    shutil.copyfile(year_store, store1)
    build_args = ["build", "--store", store1, "--standards", project / "standards", "--out", project / "public"]
    c.first = handbook(at(day1, 9), build_args, project)
    log(f"week 1 build, empty caches: {c.first.wall:.1f} s wall, {c.first.cpu:.1f} s CPU")
    c.warm = handbook(at(day1, 10), build_args, project)
    log(f"week 1 build again, caches warm: {c.warm.wall:.1f} s wall, {c.warm.cpu:.1f} s CPU")
    cache = project / "build" / "pdf-cache"
    week1 = work / "cycle-week1"
    shutil.rmtree(week1, ignore_errors=True)
    week1.mkdir()
    shutil.copytree(cache, week1 / "pdf-cache", copy_function=shutil.copy2)
    shutil.copytree(project / "public", week1 / "public")
    shutil.copytree(project / "site", week1 / "site")
    c.cache_week1 = tree_size(week1 / "pdf-cache")
    store2 = project / "data" / "week2.sqlite"
    peer_db = project / "data" / "week2-sqlite-utils.sqlite"
    peer = ingest_peer.sqlite_utils_bin(Path(sys.executable).parent / "handbook")
    build2 = ["build", "--store", store2, "--standards", project / "standards", "--out", project / "public"]
    for rep in range(reps):
        for folder in ("pdf-cache",):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(week1 / folder, cache, copy_function=shutil.copy2)
        for folder in ("public", "site"):
            shutil.rmtree(project / folder, ignore_errors=True)
            shutil.copytree(week1 / folder, project / folder)
        for db in (store2, peer_db):
            db.unlink(missing_ok=True)
        shutil.copyfile(store1, store2)
        before = {p.name for p in cache.iterdir()}
        c.ingest.append(handbook(at(day2, 8), ["ingest", "--file", week_csv, "--db", store2, *common], project))
        c.week_archived = tuple(sorted(archived_quarters(store2) - archived_quarters(store1)))
        (project / KEEP_CONFIG).unlink(missing_ok=True)
        c.build.append(handbook(at(day2, 9), build2, project, {"BENCH_KEEP_CONFIG": str(project / KEEP_CONFIG)}))
        new = sorted(p.name for p in cache.iterdir() if p.name not in before and p.suffix == ".pdf")
        c.rendered.append(len(new))
        kept = (project / KEEP_CONFIG).read_text(encoding="utf-8")
        kept = re.sub(r"^site_dir: .*$", "site_dir: plain-public", kept, flags=re.M)
        (project / KEEP_CONFIG).write_text(kept, encoding="utf-8")
        shutil.rmtree(project / "plain-public", ignore_errors=True)
        c.mkdocs.append(plain_mkdocs(at(day2, 9), project))
        if peer is not None:
            shutil.copyfile(store1, peer_db)
            c.peer.append(ingest_peer.run_child([str(peer), "insert", str(peer_db), "responses", str(week_csv),
                                                 "--csv"], project))
        log(f"week 2 (rep {rep + 1}): ingest {c.ingest[-1].wall:.2f} s, build {c.build[-1].wall:.1f} s wall "
            f"{c.build[-1].cpu:.1f} s CPU {c.build[-1].rss / 2**20:.0f} MiB, {len(new)} PDFs rendered; plain mkdocs "
            f"{c.mkdocs[-1].wall:.1f} s {c.mkdocs[-1].cpu:.1f} s CPU {c.mkdocs[-1].rss / 2**20:.0f} MiB"
            + (f"; sqlite-utils {c.peer[-1].wall:.2f} s" if c.peer else ""))
    # the same ingest in the week a quarter closes (4 times a year): into week 1's store as it was before its
    # latest closed quarter was archived, so the run archives that quarter as the first run after its close day
    store_q = project / "data" / "week2-quarter-close.sqlite"
    for rep in range(reps):
        store_q.unlink(missing_ok=True)
        c.quarter = before_close(store1, store_q)
        if not c.quarter:
            break
        c.quarter_ingest.append(handbook(at(day2, 8), ["ingest", "--file", week_csv, "--db", store_q, *common],
                                         project))
        if c.quarter not in archived_quarters(store_q):
            raise SystemExit(f"bench: the quarter-close ingest did not archive {c.quarter}")
        log(f"week 2 in the week {c.quarter} closes (rep {rep + 1}): ingest {c.quarter_ingest[-1].wall:.2f} s wall "
            f"{c.quarter_ingest[-1].cpu:.2f} s CPU")
    store_q.unlink(missing_ok=True)
    # which printables were rendered again: the published PDFs of week 2 that differ from week 1's
    c.differ, c.same = compare_sites(week1 / "public", project / "public")
    c.running = running_periods(week1 / "public")
    for rel in (r for kind, rels in c.differ.items() if kind.startswith("PDF") for r in rels):
        c.rendered_kinds[kind_of(rel)] = c.rendered_kinds.get(kind_of(rel), 0) + 1
    c.cache_week2 = tree_size(cache)
    c.published_pdfs = tree_size(project / "public", "*.pdf")
    c.largest_page = largest_page(project / "public")
    shutil.rmtree(project / "plain-public", ignore_errors=True)
    peer_db.unlink(missing_ok=True)
    return c, project


def warm_build_cpu(root: Path, work: Path, std_dir: Path, store: Path, standards, instruments,
                   day1: dt.date, pdf_cache: Path | None = None) -> tuple[ingest_peer.Child, tuple[str, int]]:
    """A warm rebuild (a second build on the same day, every cache full) at another size: its child's
    figures and the largest page it publishes. `pdf_cache` (another build's) seeds the first build's cache:
    the sheets both sizes print alike are copied instead of rendered; that build prunes the rest, so the
    measured build finds the same cache either way."""
    project = project_copy(root, work / "cycle-scale", std_dir, production_lock(standards, instruments))
    if pdf_cache is not None and pdf_cache.is_dir():
        shutil.copytree(pdf_cache, project / "build" / "pdf-cache", copy_function=shutil.copy2)
    args = ["build", "--store", store, "--standards", project / "standards", "--out", project / "public"]
    handbook(at(day1, 9), args, project)
    warm = handbook(at(day1, 10), args, project)
    page = largest_page(project / "public")
    shutil.rmtree(project, ignore_errors=True)
    return warm, page


def med(values) -> float:
    values = list(values)
    return statistics.median(values) if values else float("nan")


def loads(children) -> str:
    """`load 1.2–2.3`: the lowest and highest 1-minute load average seen as the children started and ended."""
    seen = [x for ch in children if ch is not None for x in ch.loads]
    return f"load {min(seen):.2f}–{max(seen):.2f}" if seen else ""


def figures(c: Cycle, Figure, *, projects: int, scale: tuple | None = None) -> dict:
    """bench/RESULTS.md's rows for the weekly cycle: its ratios, memory, closed pages, scale and cache."""
    mib, out = 2 ** 20, {}
    cycle_wall = [i.wall + b.wall for i, b in zip(c.ingest, c.build)]
    cycle_cpu = [i.cpu + b.cpu for i, b in zip(c.ingest, c.build)]
    mk_wall, mk_cpu = med(m.wall for m in c.mkdocs), med(m.cpu for m in c.mkdocs)
    wall_ratio, cpu_ratio = med(cycle_wall) / mk_wall, med(cycle_cpu) / mk_cpu
    week = (f"the week {', '.join(c.week_archived)} closed: its ingest archived it" if c.week_archived
            else "an ordinary week: no quarter closed")
    out["cycle"] = Figure(
        "the weekly cycle: `handbook ingest` of the new week, then `handbook build --store` with last week's "
        "caches, a week after the last build (forms lock: QR codes drawn), against a plain `mkdocs build` of "
        "the docs folder that build left (same pages, navigation and hooks)",
        f"wall {med(cycle_wall):.1f} s vs {mk_wall:.1f} s = {wall_ratio:.2f}×; CPU {med(cycle_cpu):.1f} s vs "
        f"{mk_cpu:.1f} s = {cpu_ratio:.2f}×",
        "≤ 2.0×", wall_ratio <= 2.0, samples=cycle_wall,
        note=f"ingest {med(i.wall for i in c.ingest):.2f} s + build {med(b.wall for b in c.build):.1f} s; "
             f"{med(c.rendered):.0f} PDFs rendered again; {loads([*c.ingest, *c.build, *c.mkdocs])}; {week}")
    out["mkdocs"] = Figure("of which the plain `mkdocs build` alone (the floor)", f"{mk_wall:.1f} s",
                           samples=[m.wall for m in c.mkdocs])
    b_rss, m_rss = med(b.rss for b in c.build), med(m.rss for m in c.mkdocs)
    out["cycle_rss"] = Figure("peak RSS of that build against the plain `mkdocs build`'s",
                              f"{b_rss / mib:.0f} MiB vs {m_rss / mib:.0f} MiB = {b_rss / m_rss:.2f}×", "≤ 2×",
                              b_rss / m_rss <= 2.0, note=loads([*c.build, *c.mkdocs]))
    if c.peer:
        i_wall, p_wall = med(i.wall for i in c.ingest), med(p.wall for p in c.peer)
        i_cpu, p_cpu = med(i.cpu for i in c.ingest), med(p.cpu for p in c.peer)
        out["weekly_peer"] = Figure(
            "the weekly ingest against `sqlite-utils insert --csv` of the same week's rows into a copy of the "
            "same year-long store",
            f"wall {i_wall:.2f} s vs {p_wall:.2f} s = {i_wall / p_wall:.2f}×; CPU {i_cpu:.2f} s "
            f"vs {p_cpu:.2f} s = {i_cpu / p_cpu:.2f}×",
            "≤ 1.2×", i_wall / p_wall <= 1.2, samples=[i.wall for i in c.ingest],
            note=f"{week}; {loads([*c.ingest, *c.peer])}")
    else:
        out["weekly_peer"] = Figure("the weekly ingest against `sqlite-utils insert --csv` of the same week",
                                    "not measured: sqlite-utils is not installed (pip install -e '.[bench]')",
                                    "≤ 1.2×")
    if c.quarter_ingest:
        q_wall, q_cpu = med(q.wall for q in c.quarter_ingest), med(q.cpu for q in c.quarter_ingest)
        i_cpu = med(i.cpu for i in c.ingest)
        against = f"wall {q_wall:.2f} s; CPU {q_cpu:.2f} s"
        if c.peer:
            p_wall, p_cpu = med(p.wall for p in c.peer), med(p.cpu for p in c.peer)
            against = (f"wall {q_wall:.2f} s vs {p_wall:.2f} s = {q_wall / p_wall:.2f}×; "
                       f"CPU {q_cpu:.2f} s vs {p_cpu:.2f} s = {q_cpu / p_cpu:.2f}×")
        out["weekly_quarter"] = Figure(
            "the weekly ingest in the week a quarter closes (4 times a year), against the same "
            "`sqlite-utils insert --csv`", against, samples=[q.wall for q in c.quarter_ingest],
            note=f"informational: the same week's rows into the same store as it was before {c.quarter} "
                 f"was archived; the extra {q_cpu - i_cpu:.2f} s of CPU over an ordinary week is archiving "
                 f"the quarter just closed (its assessment scored from the stored inspections dated "
                 f"from a quarter before it on); {loads([*c.quarter_ingest, *c.peer])}")
    else:
        out["weekly_quarter"] = Figure(
            "the weekly ingest in the week a quarter closes (4 times a year)",
            "not measured: no quarter of the data has closed (fewer days than reach back to a quarter's end)")
    closed = {k: v for k, v in c.differ.items() if k in ("weekly archive", "quarter page")}
    n_closed = sum(len(v) for v in closed.values())
    # the running week's and quarter's pages change by design; the closed ones must not
    kinds = "; ".join(f"{k} {len(v)}" for k, v in sorted(c.differ.items(), key=lambda kv: -len(kv[1])))
    out["closed"] = Figure(
        "files of public/ that differ between the two weekly builds (closed weekly archives and quarter pages "
        "among them; the new week's archive and the running quarter's page change by design)",
        f"{sum(len(v) for v in c.differ.values())} of {sum(len(v) for v in c.differ.values()) + c.same} files; "
        f"weekly archives and quarter pages {n_closed} "
        f"({', '.join(sorted(p for v in closed.values() for p in v)[:6])}{' …' if n_closed > 6 else ''})",
        "closed ones byte-identical",
        # the lists of weeks and quarters (results/weeks/index.html) gain the new week: only the periods' own pages
        all(period_of(p) >= c.running[kind == "quarter page"] for kind, v in closed.items() for p in v
            if period_of(p)),
        note=f"{kinds}; running at week 1's build, so changing by design: {' and '.join(c.running)} and later")
    out["pdf_cache"] = Figure(
        "PDF cache after two weekly builds, against the PDFs the site publishes",
        f"{c.cache_week2[0] / mib:.0f} MiB in {c.cache_week2[1]} files after week 2 ({c.cache_week1[0] / mib:.0f} MiB "
        f"in {c.cache_week1[1]} after week 1); the site publishes {c.published_pdfs[1]} PDFs, "
        f"{c.published_pdfs[0] / mib:.0f} MiB",
        "only what is current", c.cache_week2[0] <= c.cache_week1[0] * 1.1,
        note="rendered again in week 2 (published PDFs that differ): "
             + (", ".join(f"{k[4:]} {v}" for k, v in sorted(c.rendered_kinds.items(), key=lambda kv: -kv[1]))
                or "none"))
    out["first_build"] = Figure("week 1's `handbook build --store` with an empty PDF cache (every printable rendered)",
                                f"{c.first.wall:.1f} s wall, {c.first.cpu:.1f} s CPU, {c.first.rss / mib:.0f} MiB",
                                samples=[c.first.wall], note=loads([c.first]))
    out["build"] = Figure("`handbook build --store` again on the same day, every cache warm",
                          f"{c.warm.wall:.1f} s wall, {c.warm.cpu:.1f} s CPU, {c.warm.rss / mib:.0f} MiB",
                          samples=[c.warm.wall], note=loads([c.warm]))
    if scale is not None:
        small_n, small, small_page = scale
        ratio = c.warm.cpu / small.cpu
        out["scale_cpu"] = Figure(f"build CPU at {projects} projects against {small_n} (a warm rebuild each)",
                                  f"{c.warm.cpu:.1f} s vs {small.cpu:.1f} s = {ratio:.2f}×",
                                  f"≤ {projects / small_n * 1.1:.1f}×", ratio <= projects / small_n * 1.1,
                                  note=loads([c.warm, small]))
        out["scale_page"] = Figure(
            f"the largest page at {small_n} projects against {projects}",
            f"{small_page[1] / 1000:.0f} KB ({small_page[0]}) vs "
            f"{c.largest_page[1] / 1000:.0f} KB ({c.largest_page[0]})",
            "must not grow", c.largest_page[1] <= small_page[1] * 1.05)
    return out
