"""`handbook notify` under concurrency and faults.

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

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.instruments.patrol import simulate as sim

from conftest import ROOT
from test_notify import NOW, S, SECRETS, SITE, TZ, notify, patrols, response, sends, world  # noqa: F401

pytestmark = pytest.mark.slow   # notify beside real ingest processes, slow robots and stale locks

CHANNELS = ("wecom:T_WECOM_CRD", "email:crd@example.com", "dingtalk:T_DINGTALK")


def run(*args: str, cwd: Path) -> subprocess.Popen:
    """`python -m generator …` of this checkout as a process of its own."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "generator", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def redline_key(store: Path, inspector: str) -> str:
    conn = sqlite3.connect(store)
    try:
        (iid,) = conn.execute("SELECT DISTINCT inspection_id FROM versions WHERE inspector = ?",
                              (inspector,)).fetchone()
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
    # each 红线 incident without a fix report is also an overdue action the day after (its day): 企业微信 gets
    # those of 11-21 and 11-22 (not 11-10's, overdue on 11-11); e-mail both too (overdue on 11-22 and 11-23)
    assert result.output == ("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 7 条提醒。\n"
                             "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 6 条提醒。\n"
                             "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。\n")
    text = world["robots"].of("/wecom")[0]["json"]["markdown"]["content"]
    assert "共 7 条：红线问题 2，不合格检查 1，逾期未整改 3，缺少的巡查 1" in text
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
    # the incident and its action, overdue since 11-26 without a fix report
    assert later.output == ("企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 2 条提醒。\n"
                            "邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 2 条提醒。\n"
                            "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 2 条提醒。\n")
    key = redline_key(store, "暂停")
    assert [(ch, ok) for k, ch, ok, *_ in sends(store) if k == key] == [(ch, 1) for ch in CHANNELS]


# ---------------------------------------------------------------- case 3: slow and huge answers, stale locks

class Endpoint:
    """A local HTTP server for one robot that answers badly: `mode` dribble (status, headers and body one
    byte every 0.25 s: 200 bytes take 50 s), headers (the status line and headers themselves dribbled),
    huge (a 50 MB body), ratelimit (企业微信's 45009)."""

    def __init__(self, mode: str):
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        self.hits = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.hits += 1
                body = json.dumps({"errcode": 0, "errmsg": "ok" + " " * 180}).encode()
                try:
                    if mode == "ratelimit":
                        body = json.dumps({"errcode": 45009, "errmsg": "api freq out of limit"}).encode()
                    if mode in ("dribble", "ratelimit"):
                        self.send_response(200)
                        self.send_header("Content-Length", str(len(body)))
                        self.end_headers()
                        self.wfile.flush()
                        for k in range(len(body) if mode == "dribble" else 0):
                            self.wfile.write(body[k:k + 1])
                            self.wfile.flush()
                            time.sleep(0.25)
                        if mode == "ratelimit":
                            self.wfile.write(body)
                    elif mode == "headers":
                        head = (b"HTTP/1.1 200 OK\r\n"
                                + b"".join(b"X-Pad-%d: %s\r\n" % (k, b"x" * 10) for k in range(20)))
                        for k in range(len(head)):
                            self.wfile.write(head[k:k + 1])
                            self.wfile.flush()
                            time.sleep(0.25)
                    elif mode == "huge":
                        size = 50 << 20
                        self.send_response(200)
                        self.send_header("Content-Length", str(size))
                        self.end_headers()
                        chunk = b"x" * (1 << 20)
                        for _ in range(size >> 20):
                            self.wfile.write(chunk)
                except OSError:
                    pass   # the client hung up

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True,
                     kwargs={"poll_interval": 0.05}).start()   # shutdown() waits out one poll: 0.5 s by default

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def point_wecom_at(world, url: str) -> None:
    credentials = world["credentials"]
    lines = [f"T_WECOM_CRD={url}" if line.startswith("T_WECOM_CRD=") else line
             for line in credentials.read_text(encoding="utf-8").splitlines()]
    credentials.write_text("\n".join(lines) + "\n", encoding="utf-8")


OTHERS_SENT = ["邮件 crd@example.com（客户关系部）：已发送 1 条消息，含 5 条提醒。",
               "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。",
               "错误：1 个渠道发送失败（见上），其余已发出；失败的提醒会在下次运行时重发。"]


def assert_wecom_failed_others_sent(world) -> None:
    rows = sends(world["store"])
    assert [ok for _, ch, ok, *_ in rows if ch == "wecom:T_WECOM_CRD"] == [0, 0, 0, 0, 0]
    assert [ok for _, ch, ok, *_ in rows if ch != "wecom:T_WECOM_CRD"] == [1] * 8   # e-mail 5, 钉钉 3


import pytest  # noqa: E402


@pytest.mark.parametrize("mode", ["dribble", "headers"])
def test_a_robot_that_trickles_its_answer_times_out_within_the_limit(world, mode):
    """5a7e3d1: still running at 200 s with --timeout 3 (each byte came within the socket timeout)."""
    endpoint = Endpoint(mode)
    try:
        point_wecom_at(world, f"http://127.0.0.1:{endpoint.port}/wecom?key=wk-123-secret")
        started = time.monotonic()
        result = notify(world, "--timeout", "2")
        took = time.monotonic() - started
    finally:
        endpoint.close()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误：企业微信机器人 T_WECOM_CRD：2 秒内没有应答（超时）：检查网络或代理；下次运行会重发。", *OTHERS_SENT]
    assert took < 10, took      # 2 s for the robot, the rest for the mail and 钉钉 (5a7e3d1: 57 s)
    assert_wecom_failed_others_sent(world)
    # the lock is free again: the next run (the robot fixed) sends the four and nothing else
    point_wecom_at(world, f"http://127.0.0.1:{world['robots'].port}/wecom?key=wk-123-secret")
    again = notify(world, now="2026-11-23 10:00")
    assert again.output == "企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。\n"


def test_a_huge_answer_is_read_up_to_a_limit(world):
    """A 50 MB answer: reading stops after 1 MiB; the run's memory stays far below the answer's size."""
    import tracemalloc

    endpoint = Endpoint("huge")
    tracemalloc.start()
    try:
        point_wecom_at(world, f"http://127.0.0.1:{endpoint.port}/wecom?key=wk-123-secret")
        result = notify(world, "--timeout", "20")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        endpoint.close()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误：企业微信机器人 T_WECOM_CRD：应答无法识别（应答超过 1 MiB，已停止读取）："
        "检查机器人地址是否指向企业微信或钉钉；"
        "下次运行会重发。", *OTHERS_SENT]
    assert peak < 8 << 20, peak
    assert_wecom_failed_others_sent(world)


def lock_record(world) -> str:
    return Path(f"{world['store']}.notify-lock").read_text(encoding="utf-8")


def test_a_lock_left_by_a_killed_run_is_taken_over_with_a_warning(world):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    Path(f"{world['store']}.notify-lock").write_text(
        json.dumps({"pid": dead.pid, "host": socket.gethostname(), "started": time.time() - 60}), encoding="utf-8")
    result = notify(world)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"注意：上一次 handbook notify（进程 {dead.pid}，")
    assert lines[0].endswith("开始）没有正常结束，已接管它留下的锁：它发出的提醒都记在数据库中，不会重发；"
                             "没有发出的本次补发。")
    assert lines[1:] == ["企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。", *OTHERS_SENT[:2]]
    assert lock_record(world) == ""      # a run that ends leaves no record behind
    assert notify(world, now="2026-11-23 10:00").output == "没有新的提醒。\n"


HOLDER = """
import fcntl, json, os, socket, sys, time
handle = open(sys.argv[1], "a+")
fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
pid = int(sys.argv[3]) if len(sys.argv) > 3 else os.getpid()
handle.write(json.dumps({"pid": pid, "host": socket.gethostname(), "started": time.time() - float(sys.argv[2])}))
handle.flush()
print("held", flush=True)
time.sleep(120)
"""


def hold_lock(world, age: float, *pid: str) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, f"{world['store']}.notify-lock", str(age), *pid],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    return holder


def test_a_run_hung_for_longer_than_the_bound_is_taken_over(world):
    holder = hold_lock(world, 2 * 3600)   # a hung notify holding the lock for two hours
    try:
        result = notify(world)
        assert holder.poll() is None   # it is left alone: only its lock is taken over
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"注意：另一个 handbook notify（进程 {holder.pid}，")
    assert lines[0].endswith(f"开始）已运行超过 30 分钟，视为卡住，本次接管了它的锁：检查该进程（可用 kill {holder.pid}"
                             " 结束它）；"
                             "本次照常发送。")
    assert len(lines) == 4 and len(sends(world["store"])) == 13
    assert lock_record(world) == ""


@pytest.mark.parametrize("record", ["recent", "not the holder's"])
def test_a_live_run_holding_the_lock_still_stops_the_second(world, record):
    """A run that holds the lock for a minute; or one that has just taken it, the record still that of a
    killed run (its pid gone, two hours old): neither is taken over."""
    if record == "recent":
        holder = hold_lock(world, 60)
    else:
        dead = subprocess.Popen([sys.executable, "-c", "pass"])
        dead.wait()
        holder = hold_lock(world, 2 * 3600, str(dead.pid))
    try:
        result = notify(world)
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert (result.exit_code, result.output) == (1, f"错误：另一个 handbook notify 正在使用数据库 {world['store']}："
                                                    "等它结束后再运行；本次什么也没有发送。\n")
    assert world["robots"].requests == [] and world["mail"].received == []
    conn = sqlite3.connect(world["store"])
    try:   # not even the ledger's tables were made
        assert conn.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'notify%'").fetchone() == (0,)
    finally:
        conn.close()


# ---------------------------------------------------------------- case 10: the alerts' smaller faults

def test_a_webhook_host_that_is_too_long_is_one_line(world):
    point_wecom_at(world, "https://" + "q" * 70 + ".example.com/cgi-bin/webhook/send?key=wk-123-secret")
    result = notify(world)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误：企业微信机器人 T_WECOM_CRD：机器人地址无效（主机名过长或格式不对）：检查环境变量或凭据文件中 T_WECOM_CRD"
        " 的值："
        "应为机器人的 key，或以 https:// 开头的完整地址（主机名每段最多 63 个字符）；下次运行会重发。", *OTHERS_SENT]
    assert "q" * 70 not in result.output
    assert_wecom_failed_others_sent(world)


def test_wecom_45009_says_to_wait_not_to_check_the_key(world):
    endpoint = Endpoint("ratelimit")
    try:
        point_wecom_at(world, f"http://127.0.0.1:{endpoint.port}/wecom?key=wk-123-secret")
        result = notify(world)
    finally:
        endpoint.close()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "错误：企业微信机器人 T_WECOM_CRD：发送太频繁，被限流（errcode 45009：api freq out of limit）：不是 key "
        "的问题，"
        "不用修改设置：等一分钟后再运行，或等下次定时运行时自动重发。", *OTHERS_SENT]
    assert_wecom_failed_others_sent(world)


class DroppingSmtp:
    """An SMTP server that greets, answers EHLO, then hangs up when the client goes on (STARTTLS)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.sessions = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.sessions += 1
            with conn:
                reader = conn.makefile("rb")
                conn.sendall(b"220 mail.example.com ESMTP\r\n")
                reader.readline()                                  # EHLO
                conn.sendall(b"250-mail.example.com\r\n250-STARTTLS\r\n250 AUTH PLAIN LOGIN\r\n")
                reader.readline()                                  # STARTTLS: hang up
                conn.shutdown(socket.SHUT_RDWR)

    def close(self):
        self.sock.close()


def test_a_dropped_smtp_connection_is_not_could_not_connect(world):
    server = DroppingSmtp()
    org = world["standards"] / "organisation.yaml"
    text = org.read_text(encoding="utf-8")
    org.write_text(text.replace(f"port: {world['mail'].port}", f"port: {server.port}"), encoding="utf-8")
    try:
        result = notify(world)
    finally:
        server.close()
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "企业微信机器人 T_WECOM_CRD（客户关系部）：已发送 1 条消息，含 5 条提醒。",
        "错误：邮件 crd@example.com：已连上服务器，但连接在发送途中被断开（服务器断开了连接），不确定是否已送达："
        "稍后重试；如反复出现，检查服务器的限制（邮件大小、发信频率）和网络；下次运行会重发。",
        "钉钉机器人 T_DINGTALK（梧桐苑项目群）：已发送 1 条消息，含 3 条提醒。",
        "错误：1 个渠道发送失败（见上），其余已发出；失败的提醒会在下次运行时重发。"]
    assert server.sessions == 1
    assert [ok for _, ch, ok, *_ in sends(world["store"]) if ch == "email:crd@example.com"] == [0, 0, 0, 0, 0]


def test_a_failed_google_login_is_one_chinese_line(tmp_path):
    """The token endpoint refuses the key as Google does (400, invalid_grant): 5a7e3d1 printed the
    RefreshError's tuple, ('invalid_grant: Invalid JWT Signature.', {'error': …})."""
    import re

    from fakegoogle.base import Response, write_service_account_key
    from fakegoogle.sheets import FakeSheets

    fake = FakeSheets().start()
    fake.routes.insert(0, ("POST", re.compile(r"/token$"), lambda request, match: Response(
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})))
    try:
        key = write_service_account_key(tmp_path / "sa.json", fake.url + "/token")
        store = tmp_path / "store.sqlite"
        result = CliRunner().invoke(main, [
            "ingest", "--sheet", "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789", "--checklist", "daily-patrol",
            "--store", str(store), "--credentials", str(key), "--lock", str(tmp_path / "no.lock")],
            env={"HANDBOOK_SHEETS_ENDPOINT": fake.url})
    finally:
        fake.stop()
    assert result.exit_code == 1
    assert result.output == (
        "错误：无法以服务账号 handbook@demo-project.iam.gserviceaccount.com 登录 Google：密钥已被删除或停用、"
        "不属于该服务账号，"
        "或本机时钟不准（Google：invalid_grant：Invalid JWT Signature.）。确认密钥没有被删除或停用\n")
    assert not store.exists() or sqlite3.connect(store).execute(
        "SELECT count(*) FROM sqlite_master WHERE name = 'inspections'").fetchone() in ((0,), (1,))


def test_forms_push_names_a_refused_google_login_in_chinese(tmp_path):
    import re

    from fakegoogle.base import Response, write_service_account_key
    from fakegoogle.forms import FakeForms

    fake = FakeForms().start()
    fake.routes.insert(0, ("POST", re.compile(r"/token$"), lambda request, match: Response(
        400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})))
    try:
        key = write_service_account_key(tmp_path / "key.json", fake.url + "/token")
        lock = tmp_path / "forms" / "forms.lock.yaml"
        result = CliRunner().invoke(main, ["forms", "push", "--lock", str(lock), "--credentials", str(key)],
                                    env={"HANDBOOK_FORMS_ENDPOINT": fake.url + "/"})
    finally:
        fake.stop()
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"错误：无法用凭据 {key} 换取访问令牌：密钥已被删除或停用、不属于该服务账号，或本机时钟不准"
        "（Google：invalid_grant：Invalid JWT Signature.）。确认密钥没有被删除或停用，必要时在 Google Cloud "
        "控制台重新下载")
    assert "invalid_grant'" not in result.output and "{'error'" not in result.output   # no raw tuple
    assert fake.api_requests() == []
