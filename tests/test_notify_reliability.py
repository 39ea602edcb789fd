"""`handbook notify` under concurrency and faults (issue 26, the alerts side).

Real parts only, as in tests/test_notify.py (whose local robot server, mail server and standards fixture
`world` these tests share): notify and ingest run as two real processes at once; robots that dribble their
answer one byte a second, or answer 50 MB; a notify lock left by a killed run; an SMTP server that drops
the connection; a Google token endpoint that refuses the key.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from click.testing import CliRunner

from generator.cli import main
from generator.instruments.patrol import simulate as sim

from conftest import ROOT
from test_notify import NOW, S, SECRETS, SITE, TZ, notify, patrols, response, sends, world  # noqa: F401

CHANNELS = ("wecom:T_WECOM_CRD", "email:crd@example.com", "dingtalk:T_DINGTALK")


def run(*args: str, cwd: Path) -> subprocess.Popen:
    """`python -m generator …` of this checkout as a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def redline_key(store: Path, inspector: str) -> str:
    conn = sqlite3.connect(store)
    try:
        (iid,) = conn.execute("SELECT DISTINCT inspection_id FROM versions WHERE inspector = ?", (inspector,)).fetchone()
        return f"redline:{iid}"
    finally:
        conn.close()


# ---------------------------------------------------------------- case 1: notify while an ingest writes

def test_a_redline_stored_while_notify_runs_is_sent_by_the_next_run(world):
    """Each round: an ingest of a file with 1,500 old rows and one 红线 incident of today starts, and a
    notify starts 0.4 s after it (so it runs while the ingest writes); then another notify runs. The
    incident must reach each of its three channels exactly once. On the code that took "new" from read
    times (5a7e3d1), the incident was lost for good in 4 of 6 rounds (measured: see the report)."""
    root, store, standards = world["root"], world["store"], world["standards"]
    today = dt.datetime.now(TZ).date()
    common = ["--store", str(store), "--standards", str(standards)]
    told = ["notify", *common, "--credentials", str(world["credentials"]), "--site-url", SITE]
    first = CliRunner().invoke(main, told)
    assert first.exit_code == 0, first.output
    lost, outputs = [], []
    for k in range(6):
        inspector = f"巡查员{k}"
        filler = [response(p.id, "cs_supervisor", dt.date(2025, 1, 1) + dt.timedelta(days=d), 9 + k % 6,
                           inspector=f"{inspector}甲")
                  for d in range(190) for p in S.organisation.projects]
        incident = response("wutong", "cs_supervisor", today, 8, {"4.2.1.2-d": 1}, {"4.2.1": "地面有痰迹"},
                            inspector=inspector)
        path = sim.write_csv(root / f"round-{k}.csv", sim.sheet_values(S, "daily-patrol", [*filler, incident]))
        ingest = run("ingest", "--file", str(path), "--checklist", "daily-patrol", *common,
                     "--lock", str(root / "no.lock"), cwd=root)
        time.sleep(0.4)
        sender = run(*told, cwd=root)
        ingested, sent = ingest.communicate(timeout=300), sender.communicate(timeout=300)
        assert ingest.returncode == 0, ingested
        outputs.append((sender.returncode, sent))
        after = CliRunner().invoke(main, told)
        assert after.exit_code == 0, after.output
        key = redline_key(store, inspector)
        got = sorted(ch for k2, ch, ok, *_ in sends(store) if k2 == key and ok)
        if got != sorted(CHANNELS):
            lost.append((k, got))
    assert lost == [], (lost, outputs)
    # every send is in the ledger once per channel: nothing went twice
    rows = [(k2, ch) for k2, ch, ok, _, forced in sends(store) if ok and not forced]
    assert len(rows) == len(set(rows))


# the ledger's tables as 5a7e3d1 made them (notify's store tables at version 1), frozen here
LEDGER_V1 = """
CREATE TABLE notify_alerts (key TEXT PRIMARY KEY, kind TEXT NOT NULL, project TEXT NOT NULL, day TEXT NOT NULL,
                            entry TEXT NOT NULL, found_at TEXT NOT NULL);
CREATE TABLE notify_sends (id INTEGER PRIMARY KEY, alert_key TEXT NOT NULL REFERENCES notify_alerts(key),
                           channel TEXT NOT NULL, recipient TEXT NOT NULL, sent_at TEXT NOT NULL, ok INTEGER NOT NULL,
                           answer TEXT NOT NULL, part TEXT NOT NULL, forced INTEGER NOT NULL DEFAULT 0);
CREATE INDEX notify_sends_by_alert ON notify_sends (alert_key, channel);
CREATE TABLE notify_runs (id INTEGER PRIMARY KEY, started_at TEXT NOT NULL, finished_at TEXT NOT NULL, since TEXT,
                          report TEXT NOT NULL);
INSERT INTO notify_alerts VALUES ('missed:wutong:cs_supervisor:2026-11-20', 'missed', 'wutong', '2026-11-20', '{}',
                                  '2026-11-21T10:00:00+08:00');
INSERT INTO notify_sends (alert_key, channel, recipient, sent_at, ok, answer, part)
    VALUES ('missed:wutong:cs_supervisor:2026-11-20', 'wecom:T_WECOM_CRD', '客户关系部', '2026-11-21T10:00:01+08:00', 1,
            'HTTP 200', '1/1');
INSERT INTO notify_runs (started_at, finished_at, report) VALUES ('2026-11-21T10:00:00+08:00',
                                                                  '2026-11-21T10:00:02+08:00', '{}');
INSERT OR REPLACE INTO instrument_versions (instrument, version) VALUES ('notify', 1);
"""


def test_an_old_ledger_is_upgraded_and_its_first_run_sends_no_history(world):
    """A store whose ledger 5a7e3d1 wrote (企业微信 served since 2026-11-21, last run 2026-11-21 10:00) also
    holds a 红线 incident of 2026-11-10 (old news, and the patrols of 11-11..11-19 it makes missing) and one
    of 2026-11-21 that the old rule lost (stored after the last run had read the store, fetched before it
    started). The upgraded run at 2026-11-23 09:00: 企业微信's horizon is 2026-11-20 (the day before its
    first send), so it gets the lost incident and the four facts of 2026-11-22/23 but nothing of 11-10..11-19;
    e-mail and 钉钉, which the old ledger never served, start from yesterday (2026-11-22) as a first run does."""
    root, store = world["root"], world["store"]
    old = response("wutong", "cs_supervisor", dt.date(2026, 11, 10), 9, {"4.2.1.2-d": 1}, inspector="旧事")
    lost = response("lanting", "cs_supervisor", dt.date(2026, 11, 21), 10, {"4.2.1.2-d": 1}, inspector="漏发")
    path = sim.write_csv(root / "late.csv", sim.sheet_values(S, "daily-patrol", [old, lost]))
    done = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", "daily-patrol", "--store",
                                     str(store), "--standards", str(world["standards"]), "--lock", str(root / "x")])
    assert done.exit_code == 0, done.output
    conn = sqlite3.connect(store)
    conn.executescript(LEDGER_V1)
    conn.close()
    result = notify(world)
    assert result.exit_code == 0, result.output
    assert result.output == ("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。\n"
                             "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 4 条提醒。\n"
                             "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 2 条提醒。\n")
    text = world["robots"].of("/wecom")[0]["json"]["markdown"]["content"]
    assert "共 5 条：红线问题 2，不合格检查 1，逾期未整改 1，缺少的巡查 1" in text
    assert "兰亭雅居 · 2026-11-21 · 客服主管检查" in text and "2026-11-10" not in text
    conn = sqlite3.connect(store)
    try:
        assert conn.execute("SELECT version FROM instrument_versions WHERE instrument = 'notify'").fetchone() == (2,)
        assert dict(conn.execute("SELECT channel, first_day FROM notify_channels")) == {
            "wecom:T_WECOM_CRD": "2026-11-21", "email:crd@example.com": "2026-11-23",
            "dingtalk:T_DINGTALK": "2026-11-23"}
        # the old rows are kept as they were
        assert conn.execute("SELECT count(*) FROM notify_runs").fetchone() == (2,)
        assert conn.execute("SELECT alert_key, ok FROM notify_sends ORDER BY id LIMIT 1").fetchone() == \
            ("missed:wutong:cs_supervisor:2026-11-20", 1)
    finally:
        conn.close()
    assert redline_key(store, "漏发") in {k for k, ch, ok, *_ in sends(store) if ch == "wecom:T_WECOM_CRD" and ok}
    assert redline_key(store, "旧事") not in {k for k, *_ in sends(store)}
    # and the next run has nothing new
    assert notify(world, now="2026-11-23 10:00").output == "没有新的提醒。\n"


def test_a_run_after_a_pause_catches_up_from_the_last_run(world):
    """The hourly job ran on 2026-11-23 09:00, then stopped until 2026-12-05 09:00; meanwhile the patrols of
    11-23..12-04 were stored, one with a 红线 incident on 11-25. The run after the pause sends it (the look-back
    counts from the last run, not from today), and nothing that went out on 11-23 again."""
    root, store = world["root"], world["store"]
    assert notify(world).exit_code == 0
    rows = patrols(dt.date(2026, 11, 23), dt.date(2026, 12, 4))
    rows.append(response("wutong", "cs_supervisor", dt.date(2026, 11, 25), 10, {"4.2.1.2-d": 1}, inspector="暂停"))
    path = sim.write_csv(root / "later.csv", sim.sheet_values(S, "daily-patrol", rows))
    done = CliRunner().invoke(main, ["ingest", "--file", str(path), "--checklist", "daily-patrol", "--store",
                                     str(store), "--standards", str(world["standards"]), "--lock", str(root / "x")])
    assert done.exit_code == 0, done.output
    later = notify(world, now="2026-12-05 09:00")
    assert later.exit_code == 0, later.output
    assert later.output == ("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 1 条提醒。\n"
                            "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 1 条提醒。\n"
                            "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 1 条提醒。\n")
    key = redline_key(store, "暂停")
    assert [(ch, ok) for k, ch, ok, *_ in sends(store) if k == key] == [(ch, 1) for ch in CHANNELS]
