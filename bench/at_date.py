"""Run `handbook …` or `mkdocs …` as if the clock read a given time (the bench's week 1 and week 2).

    python bench/at_date.py 2027-01-05T09:00:00+08:00 handbook build --store …
    python bench/at_date.py 2027-01-05T09:00:00+08:00 mkdocs build -q -f …

The clock starts at that time and runs on (time-machine, `tick=True`), so durations inside the run are
real. With BENCH_KEEP_CONFIG=<path>, a copy of the config that `handbook build` generates for the engine
(our navigation, not_in_nav, hooks) is kept at <path>: the bench's plain `mkdocs build` of the same pages
reads it. The generator package imported is the one on PYTHONPATH (the bench sets it to its checkout).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sys

# time-machine imports pytest when it can, for its test fixture (about 0.07 s, more than a third of its import):
# the bench's children are measured against tools that run without a clock set, so it is kept from loading it
sys.modules.setdefault("pytest", None)  # type: ignore[arg-type]
import time_machine  # noqa: E402


def main() -> None:
    when, program, *args = sys.argv[1:]
    time_machine.travel(dt.datetime.fromisoformat(when), tick=True).start()
    sys.argv = [program, *args]
    if program == "mkdocs":
        from mkdocs.__main__ import cli
        cli()
        return
    keep = os.environ.get("BENCH_KEEP_CONFIG")
    if keep:
        from generator.site import engine

        write_config = engine.write_config

        def keeping(*a, **kw):
            generated = write_config(*a, **kw)
            shutil.copyfile(generated, keep)
            return generated

        engine.write_config = keeping
    from generator.cli import main as handbook
    handbook()


if __name__ == "__main__":
    main()
