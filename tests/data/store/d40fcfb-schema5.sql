-- A schema-5 handbook store filled by the code of main at d40fcfb (tests/legacy_store.py loads it).
-- Made from the repository root of that commit (with tests/data/exam/quiz-zh-CN.csv as it is now: no blank
-- answers) with `python make.py OUT.sql`, make.py being:
--
--     """Make the schema-5 store fixture with the code of main at d40fcfb (run from that tree)."""
--     import sqlite3, sys
--     from pathlib import Path
--     from generator.ingest.run import file_source, run_ingest
--     from generator.instruments import INSTRUMENTS
--     from generator.standards import require_standards
--
--     out = Path(sys.argv[1])
--     work = out.parent / "work"; work.mkdir(exist_ok=True)
--     db = work / "store.sqlite"
--     db.unlink(missing_ok=True)
--     s = require_standards("standards")
--     T = Path("tests/data")
--     patrol = Path("forms/examples/daily-patrol.csv").read_text(encoding="utf-8").splitlines()[:6]
--     first = work / "daily-patrol.csv"
--     first.write_text("\n".join(patrol) + "\n", encoding="utf-8")
--     run_ingest([file_source(first, "daily-patrol"),
--                 file_source(T / "methods/crd-spot-check.questioning.zh-CN.csv", "crd-spot-check"),
--                 file_source(T / "methods/customer-survey.zh-CN.csv", "customer-survey"),
--                 file_source(T / "exam/quiz-zh-CN.csv", "exam-2026Q4")], standards=s, db_path=db, instruments=INSTRUMENTS)
--     # second run: one answer edited (a new version), one row that cannot be used (quarantined)
--     edited = list(patrol)
--     edited[1] = edited[1].replace(",不符合 1 处,", ",符合,", 1)
--     assert edited[1] != patrol[1]
--     edited.append(patrol[2].replace("梧桐苑", "不存在小区", 1))
--     first.write_text("\n".join(edited) + "\n", encoding="utf-8")
--     r = run_ingest([file_source(first, "daily-patrol")], standards=s, db_path=db, instruments=INSTRUMENTS)
--     print(r.total)
--     conn = sqlite3.connect(db)
--     version = conn.execute("PRAGMA user_version").fetchone()[0]
--     lines = list(conn.iterdump())
--     conn.close()
--     out.write_text("\n".join(lines) + f"\nPRAGMA user_version = {version};\n", encoding="utf-8")
--     print(version, len(lines))
BEGIN TRANSACTION;
CREATE TABLE exam_answers (
    response_id TEXT NOT NULL REFERENCES exam_responses(id),
    question    TEXT NOT NULL,              -- exam question id (methods.yaml)
    answer      TEXT NOT NULL,              -- chosen labels as JSON list
    correct     INTEGER NOT NULL,
    earned      REAL NOT NULL,
    PRIMARY KEY (response_id, question)
);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','etiquette-1','["起身微笑问候"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','etiquette-2','["错误"]',1,1.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','etiquette-3','["统一着装", "佩戴工牌", "仪容整洁"]',1,3.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','etiquette-4','["等客户先挂机"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','communication-1','["耐心倾听并表示理解"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','communication-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','communication-3','["核实问题是否解决", "询问业主满意程度", "记录回访结果"]',1,3.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','communication-4','["说明原因并告知可联系的单位"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','law-1','["《中华人民共和国民法典》"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','law-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','law-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','law-4','["应事先告知物业服务企业", "物业应告知禁止行为和注意事项", "应遵守《业主公约》"]',1,3.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','industry-1','["对全体业主和物业使用人"]',1,2.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','industry-2','["投诉记录", "回访记录", "报修记录"]',1,3.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','industry-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('f9ee8042567bd14249fe','industry-4','["当场纠正并示范指导"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','etiquette-1','["起身微笑问候"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','etiquette-2','["正确"]',0,0.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','etiquette-3','["统一着装", "佩戴工牌"]',0,0.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','etiquette-4','["等客户先挂机"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','communication-1','["耐心倾听并表示理解"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','communication-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','communication-3','["核实问题是否解决", "询问业主满意程度", "记录回访结果"]',1,3.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','communication-4','["说明原因并告知可联系的单位"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','law-1','["《中华人民共和国刑法》"]',0,0.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','law-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','law-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','law-4','["应事先告知物业服务企业", "物业应告知禁止行为和注意事项", "应遵守《业主公约》"]',1,3.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','industry-1','["对全体业主和物业使用人"]',1,2.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','industry-2','["投诉记录", "回访记录", "报修记录"]',1,3.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','industry-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('db3ae0f9b22b8a9db54c','industry-4','["当场纠正并示范指导"]',1,2.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','etiquette-1','["起身微笑问候"]',1,2.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','etiquette-2','["错误"]',1,1.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','etiquette-3','["统一着装", "佩戴工牌", "仪容整洁"]',1,3.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','etiquette-4','["等客户先挂机"]',1,2.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','communication-1','["指出业主的错误"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','communication-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','communication-3','["核实问题是否解决", "询问业主满意程度", "记录回访结果", "要求业主给好评"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','communication-4','["直接拒绝"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','law-1','["《中华人民共和国刑法》"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','law-2','["错误"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','law-3','["错误"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','law-4','["应事先告知物业服务企业", "可以拆改承重墙"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','industry-1','["只对签字的业主"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','industry-2','["投诉记录", "回访记录", "报修记录"]',1,3.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','industry-3','["错误"]',0,0.0);
INSERT INTO "exam_answers" VALUES('8287bf0b90445455456e','industry-4','["只记录扣分"]',0,0.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','etiquette-1','["起身微笑问候"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','etiquette-2','["错误"]',1,1.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','etiquette-3','["统一着装"]',0,0.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','etiquette-4','["等客户先挂机"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','communication-1','["耐心倾听并表示理解"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','communication-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','communication-3','["要求业主给好评"]',0,0.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','communication-4','["说明原因并告知可联系的单位"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','law-1','["《中华人民共和国民法典》"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','law-2','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','law-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','law-4','["应事先告知物业服务企业", "可以拆改承重墙"]',0,0.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','industry-1','["对全体业主和物业使用人"]',1,2.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','industry-2','["投诉记录"]',0,0.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','industry-3','["正确"]',1,1.0);
INSERT INTO "exam_answers" VALUES('4d43f5f2d6e45963a17c','industry-4','["当场纠正并示范指导"]',1,2.0);
CREATE TABLE exam_responses (
    id            TEXT PRIMARY KEY,         -- hash of exam, submission time, project, name and answers
    exam          TEXT NOT NULL,            -- exam form id, e.g. exam-2026Q4
    quarter       TEXT NOT NULL,            -- 2026Q4
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),
    submitted_at  TEXT NOT NULL,            -- ISO 8601 with offset, organisation's zone
    project       TEXT NOT NULL,            -- project id
    person        TEXT NOT NULL,            -- name as typed ('' when the form asks none), never an e-mail
    form_score    REAL,                     -- the sheet's Score column (NULL when absent): reported, not used
    form_total    REAL,
    earned        REAL NOT NULL,            -- graded from methods.yaml
    total         REAL NOT NULL,
    passed        INTEGER NOT NULL,
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
INSERT INTO "exam_responses" VALUES('f9ee8042567bd14249fe','exam-2026Q4','2026Q4',4,2,16,'2026-11-19T09:41:05+08:00','wutong','',31.0,31.0,31.0,31.0,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "exam_responses" VALUES('db3ae0f9b22b8a9db54c','exam-2026Q4','2026Q4',4,3,17,'2026-11-19T09:52:40+08:00','wutong','',25.0,31.0,25.0,31.0,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "exam_responses" VALUES('8287bf0b90445455456e','exam-2026Q4','2026Q4',4,4,18,'2026-11-19T10:03:12+08:00','lanting','',12.0,31.0,12.0,31.0,0,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "exam_responses" VALUES('4d43f5f2d6e45963a17c','exam-2026Q4','2026Q4',4,5,19,'2026-11-19T13:15:00+08:00','lanting','',19.0,31.0,19.0,31.0,1,'2026-11-29T14:44:24+00:00',NULL);
CREATE TABLE headers (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    hash          TEXT NOT NULL,
    cells         TEXT NOT NULL,            -- JSON list, as read
    first_read_at TEXT NOT NULL,
    UNIQUE (source_id, hash)
);
INSERT INTO "headers" VALUES(1,1,'dc3b323fc23fd9bf81af1841d68ab3b0941c2e36887cbf3074464985852ac0f7','["时间戳记", "项目", "角色", "检查人", "检查日期", "4.2.1.1-a 办公区物品与桌面整洁", "4.2.1.1-b 下班前清理桌面、归位座椅", "4.2.1.1-c 纸篓、雨伞、外套按规定放置", "4.2.1.2-a 地面干净", "4.2.1.2-b 桌椅、屏风、设备无尘", "4.2.1.2-c 文件柜整洁、不堆杂物", "4.2.1.2-d 不随意吐痰", "4.2.1.2-e 门窗无积尘污迹", "4.2.1.2-f 保洁监督或卫生值日", "已当场纠正（4.2.1 服务场景）", "问题说明（4.2.1 服务场景）", "4.2.2.1-x1 着装整洁、佩戴工牌", "4.2.2.1-x2 主动起身问候", "4.2.2.1-x3 电话礼仪", "4.2.2.1-x4 不与客户争吵", "已当场纠正（4.2.2 服务行为）", "问题说明（4.2.2 服务行为）"]','2026-11-29T14:44:24+00:00');
INSERT INTO "headers" VALUES(2,2,'13ca4096d422ae4f2335ee5b9c07520709310c840146ae24e740fb4edae6f4b3','["时间戳记", "项目", "角色", "检查人", "检查日期", "4.2.1.1-a 办公区物品与桌面整洁", "4.2.1.1-b 下班前清理桌面、归位座椅", "4.2.1.1-c 纸篓、雨伞、外套按规定放置", "4.2.1.2-a 地面干净", "4.2.1.2-b 桌椅、屏风、设备无尘", "4.2.1.2-c 文件柜整洁、不堆杂物", "4.2.1.2-d 不随意吐痰", "4.2.1.2-e 门窗无积尘污迹", "4.2.1.2-f 保洁监督或卫生值日", "已当场纠正（4.2.1 服务场景）", "问题说明（4.2.1 服务场景）", "4.2.2.1-x1 着装整洁、佩戴工牌", "4.2.2.1-x2 主动起身问候", "4.2.2.1-x3 电话礼仪", "4.2.2.1-x4 不与客户争吵", "已当场纠正（4.2.2 服务行为）", "问题说明（4.2.2 服务行为）", "4.2.3.1 熟悉内部管理制度", "4.2.3.2 熟悉物业管理基本知识", "4.2.3.3 熟悉服务流程", "4.2.3.4 熟悉楼盘与周边配套", "已当场纠正（4.2.3 业务能力）", "问题说明（4.2.3 业务能力）", "4.2.4.1-x1 投诉记录完整", "4.2.4.1-x2 回访记录及时", "4.2.4.1-x3 报修记录闭环", "已当场纠正（4.2.4 工作记录）", "问题说明（4.2.4 工作记录）", "被抽问人员（4.4.2.1）", "随机抽问结果（4.4.2.1） [rules-1 员工守则对上班时间的仪容仪表有哪些要求？]", "随机抽问结果（4.4.2.1） [rules-2 在工作中遇到客户无理要求时，员工守则要求你怎样处理？]", "随机抽问结果（4.4.2.1） [duty-1 请说出客服前台岗位的三项主要职责。]", "随机抽问结果（4.4.2.1） [duty-2 交接班时需要交接哪些内容？]", "随机抽问结果（4.4.2.1） [discipline-1 上班期间临时需要离开岗位，应当怎样做？]", "随机抽问结果（4.4.2.1） [discipline-2 迟到、早退和请假分别按什么流程办理？]", "随机抽问结果（4.4.2.1） [hr-1 新员工试用期内需要完成哪些培训？]", "随机抽问结果（4.4.2.1） [hr-2 员工离职需要提前多久提出，需要办理哪些交接？]", "随机抽问结果（4.4.2.1） [law-1 物业服务企业的基本依据有哪些法律法规？]", "随机抽问结果（4.4.2.1） [law-2 业主装修房屋前，物业服务中心应告知业主哪些事项？]", "随机抽问结果（4.4.2.1） [covenant-1 《业主公约》（管理规约）主要约定哪些内容？]", "随机抽问结果（4.4.2.1） [covenant-2 业主在公共区域堆放杂物，客服人员应当怎样处理？]", "随机抽问结果（4.4.2.1） [agreement-1 什么是前期物业服务合同，它在什么时候终止？]", "随机抽问结果（4.4.2.1） [agreement-2 业主询问物业费包含哪些服务时，你依据什么回答？]", "随机抽问结果（4.4.2.1） [process-1 请说出受理业主报修的完整流程。]", "随机抽问结果（4.4.2.1） [process-2 接到业主投诉后应在多长时间内响应，怎样闭环？]", "随机抽问结果（4.4.2.1） [estate-1 本项目共有多少栋楼、多少户？物业服务中心的服务时间是什么？]", "随机抽问结果（4.4.2.1） [estate-2 离本项目最近的医院、派出所、学校和公交站在哪里？]"]','2026-11-29T14:44:24+00:00');
INSERT INTO "headers" VALUES(3,3,'f1f65128ee17305532db669ddc7d341915f471aaaea326e9e91eeb6cdd5f05e7','["时间戳记", "项目", "attitude 客服人员的服务态度", "manner 客服人员的礼仪和沟通方式", "speed 对您的诉求响应及时", "solved 您反映的问题得到解决", "overall 总体满意度", "您对客服人员还有什么意见或建议？（选填，请不要填写姓名、电话、房号等个人信息）"]','2026-11-29T14:44:24+00:00');
INSERT INTO "headers" VALUES(4,4,'cd1198a416d06b8cf3f70e566b0d57c2c4571c0d9f420f7a7c87585a430380bd','["时间戳记", "分数", "项目", "1. 客户来到服务台时，客服人员首先应当：", "2. 接听电话时可以先让电话响五声以上，把手头工作做完再接。", "3. 以下哪些属于客服人员上岗时的仪容仪表要求？（多选）", "4. 通话结束时，正确的做法是：", "5. 业主情绪激动地投诉时，客服人员应当首先：", "6. 对于暂时无法答复的问题，应告知业主答复时限并按时回复。", "7. 回访业主时应当做到：（多选）", "8. 业主的问题不属于物业服务范围时，恰当的做法是：", "9. 物业服务合同的有关规定主要见于：", "10. 《物业管理条例》是国务院制定的行政法规。", "11. 前期物业服务合同在业主委员会与业主大会选聘的物业服务企业签订的合同生效时终止。", "12. 业主装修房屋时，以下哪些说法正确？（多选）", "13. 《业主公约》（管理规约）对哪些人具有约束力？", "14. 以下哪些属于客服中心应当保存的工作记录？（多选）", "15. 客服主管每天应对客户服务中心进行不少于 2 次巡查。", "16. 检查中发现违规现象时，检查人员应当："]','2026-11-29T14:44:24+00:00');
CREATE TABLE ingest_log (
    id          INTEGER PRIMARY KEY,
    started_at  TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    report      TEXT NOT NULL               -- the run's JSON report
);
INSERT INTO "ingest_log" VALUES(1,'2026-11-29T14:44:24+00:00','2026-11-29T14:44:24+00:00','{"store": "/tmp/d40/work/store.sqlite", "dry_run": false, "seconds": 0.012, "sources": [{"source": "daily-patrol ← /tmp/d40/work/daily-patrol.csv", "checklist": "daily-patrol", "key": "daily-patrol:file:daily-patrol.csv", "title": "daily-patrol.csv", "read": 5, "new": 5, "edited": 0, "unchanged": 0, "gone": 0, "quarantined": 0, "reasons": {}, "quarantined_rows": [], "unmapped_columns": [], "warnings": [], "requests": null, "seconds": 0.0021705330000258982}, {"source": "crd-spot-check ← tests/data/methods/crd-spot-check.questioning.zh-CN.csv", "checklist": "crd-spot-check", "key": "crd-spot-check:file:crd-spot-check.questioning.zh-CN.csv", "title": "crd-spot-check.questioning.zh-CN.csv", "read": 4, "new": 3, "edited": 0, "unchanged": 0, "gone": 0, "quarantined": 1, "reasons": {"not_an_option": 1}, "quarantined_rows": [[5, "抽问 rules-1 的结果“不知道”不是答对、部分、答错、未抽问之一"]], "unmapped_columns": [], "warnings": [], "requests": null, "seconds": 0.0015569249999316526}, {"source": "customer-survey ← tests/data/methods/customer-survey.zh-CN.csv", "checklist": "customer-survey", "key": "customer-survey:file:customer-survey.zh-CN.csv", "title": "customer-survey.zh-CN.csv", "read": 6, "new": 4, "edited": 0, "unchanged": 0, "gone": 0, "quarantined": 2, "reasons": {"unknown_project": 1, "not_an_option": 1}, "quarantined_rows": [[6, "未知项目“不存在小区”"], [7, "“客服人员的服务态度”的答案“6”不在 1–5 之间"]], "unmapped_columns": ["电子邮件地址"], "warnings": [], "requests": null, "seconds": 0.00038329200015141396}, {"source": "exam-2026Q4 ← tests/data/exam/quiz-zh-CN.csv", "checklist": "exam-2026Q4", "key": "exam-2026Q4:file:quiz-zh-CN.csv", "title": "quiz-zh-CN.csv", "read": 4, "new": 4, "edited": 0, "unchanged": 0, "gone": 0, "quarantined": 0, "reasons": {}, "quarantined_rows": [], "unmapped_columns": [], "warnings": [], "requests": null, "seconds": 0.0003696650001074886}], "total": {"read": 19, "new": 16, "edited": 0, "unchanged": 0, "gone": 0, "quarantined": 3}, "quarantine": {"resolved": 0, "reopened": 0}}');
INSERT INTO "ingest_log" VALUES(2,'2026-11-29T14:44:24+00:00','2026-11-29T14:44:24+00:00','{"store": "/tmp/d40/work/store.sqlite", "dry_run": false, "seconds": 0.003, "sources": [{"source": "daily-patrol ← /tmp/d40/work/daily-patrol.csv", "checklist": "daily-patrol", "key": "daily-patrol:file:daily-patrol.csv", "title": "daily-patrol.csv", "read": 6, "new": 0, "edited": 1, "unchanged": 4, "gone": 0, "quarantined": 1, "reasons": {"duplicate": 1}, "quarantined_rows": [[7, "与本次读取的“daily-patrol.csv”第 3 行完全相同（重复提交）"]], "unmapped_columns": [], "warnings": [], "requests": null, "seconds": 0.0015290469991668942}], "total": {"read": 6, "new": 0, "edited": 1, "unchanged": 4, "gone": 0, "quarantined": 1}, "quarantine": {"resolved": 0, "reopened": 0}}');
CREATE TABLE inspections (
    id              TEXT PRIMARY KEY,
    checklist       TEXT NOT NULL,
    source_id       INTEGER NOT NULL REFERENCES sources(id),   -- where it was last seen
    row_number      INTEGER NOT NULL,                          -- its row there
    current_version INTEGER NOT NULL,
    first_seen_at   TEXT NOT NULL,
    gone_at         TEXT                                       -- set when its row left the source
);
INSERT INTO "inspections" VALUES('ad6000cbe40f9502b7dc','daily-patrol',1,2,2,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('c8af044e4c7ce86708e2','daily-patrol',1,3,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('c12ce3d96048db91120c','daily-patrol',1,4,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('7c350a2ddab632092ec6','daily-patrol',1,5,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('90f34315e87658f16e49','daily-patrol',1,6,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('792603825d49f1b74343','crd-spot-check',2,2,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('b76d18caf3673f5063e6','crd-spot-check',2,3,1,'2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "inspections" VALUES('e728307365f59835972f','crd-spot-check',2,4,1,'2026-11-29T14:44:24+00:00',NULL);
CREATE TABLE quarantine (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),
    row_number    INTEGER NOT NULL,
    reason_code   TEXT NOT NULL,
    reason        TEXT NOT NULL,
    first_seen_at TEXT NOT NULL, resolved_at TEXT,
    UNIQUE (raw_row_id, reason_code)
);
INSERT INTO "quarantine" VALUES(1,2,9,5,'not_an_option','抽问 rules-1 的结果“不知道”不是答对、部分、答错、未抽问之一','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "quarantine" VALUES(2,3,14,6,'unknown_project','未知项目“不存在小区”','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "quarantine" VALUES(3,3,15,7,'not_an_option','“客服人员的服务态度”的答案“6”不在 1–5 之间','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "quarantine" VALUES(4,1,2,7,'duplicate','与本次读取的“daily-patrol.csv”第 3 行完全相同（重复提交）','2026-11-29T14:44:24+00:00',NULL);
CREATE TABLE questioning_answers (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    question      TEXT NOT NULL,            -- bank question id (methods.yaml)
    result        TEXT NOT NULL,            -- the answer label, e.g. 答对
    staff         TEXT NOT NULL,            -- who was asked, as typed ('' when not given)
    PRIMARY KEY (inspection_id, version, question),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
INSERT INTO "questioning_answers" VALUES('792603825d49f1b74343',1,'duty-1','部分','陈晓');
INSERT INTO "questioning_answers" VALUES('792603825d49f1b74343',1,'law-1','答错','陈晓');
INSERT INTO "questioning_answers" VALUES('792603825d49f1b74343',1,'process-1','答对','陈晓');
INSERT INTO "questioning_answers" VALUES('792603825d49f1b74343',1,'rules-1','答对','陈晓');
INSERT INTO "questioning_answers" VALUES('b76d18caf3673f5063e6',1,'covenant-1','答对','林芳');
INSERT INTO "questioning_answers" VALUES('b76d18caf3673f5063e6',1,'duty-2','部分','林芳');
INSERT INTO "questioning_answers" VALUES('b76d18caf3673f5063e6',1,'rules-2','部分','林芳');
INSERT INTO "questioning_answers" VALUES('e728307365f59835972f',1,'rules-1','答错','陈晓');
CREATE TABLE raw_rows (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    header_id     INTEGER NOT NULL REFERENCES headers(id),
    row_number    INTEGER NOT NULL,         -- where it was when first fetched
    fetched_at    TEXT NOT NULL,
    hash          TEXT NOT NULL,            -- sha256 of the cells' JSON
    cells         TEXT NOT NULL,            -- JSON list, as fetched (serial numbers stay numbers)
    UNIQUE (source_id, header_id, hash)
);
INSERT INTO "raw_rows" VALUES(1,1,1,2,'2026-11-29T14:44:24+00:00','e762783dd7138a1c1fded56f84232fb7f8c9b8767ae5e885eedd934a12c5b28b','["2026-9-14 上午09:07:41", "青园小区", "客服主管", "孙丽", "2026-9-14", "符合", "符合", "不符合 1 处", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "不符合 2 处及以上（扣完）", "符合", "", "未佩戴工牌"]');
INSERT INTO "raw_rows" VALUES(2,1,1,3,'2026-11-29T14:44:24+00:00','2e35af85c8869f48cb493ad0f18a1b9255509bbf98d61349ed2dc41a7c3723a1','["2026-9-14 上午09:40:40", "滨江花园", "客服主管", "张磊", "2026-9-14", "符合", "不适用", "符合", "符合", "符合", "不符合 3 处及以上（扣完）", "符合", "符合", "符合", "否", "雨伞未放入伞架", "符合", "符合", "符合", "符合", "", ""]');
INSERT INTO "raw_rows" VALUES(3,1,1,4,'2026-11-29T14:44:24+00:00','df194d6f6549ad3808ee4539e87b89195e50c38b44f4b469d81c6492cafd2af3','["2026-9-14 上午09:50:06", "悦澜府", "客服主管", "王芳", "2026-9-14", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", ""]');
INSERT INTO "raw_rows" VALUES(4,1,1,5,'2026-11-29T14:44:24+00:00','981e3003c40c3d89e9d6a807e506fb0cc76ef69295d0244be37a7bed20b9d813','["2026-9-14 上午10:05:27", "兰亭雅居", "客服主管", "刘洋", "2026-9-14", "符合", "符合", "符合", "符合", "符合", "不符合 1 处", "符合", "不符合 2 处", "符合", "", "", "符合", "符合", "符合", "符合", "", ""]');
INSERT INTO "raw_rows" VALUES(5,1,1,6,'2026-11-29T14:44:24+00:00','b937b5e4596cae87828b6d0db794a3fe8eb49825c0a54bf8a8c8ba3bd33185a7','["2026-9-14 上午10:10:14", "香树湾", "客服主管", "林丽", "2026-9-14", "符合", "符合", "不符合 1 处", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", ""]');
INSERT INTO "raw_rows" VALUES(6,2,2,2,'2026-11-29T14:44:24+00:00','8e7f947ac08aca201265c2dffa56be99f4f9e354a8ab7494df534efd9fafeba2','["2026-10-8 上午10:30:00", "梧桐苑", "客户关系部", "赵敏", "2026-10-8", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "", "", "陈晓", "答对", "", "部分", "", "", "", "", "", "答错", "", "", "", "", "", "答对", "", "未抽问", ""]');
INSERT INTO "raw_rows" VALUES(7,2,2,3,'2026-11-29T14:44:24+00:00','0f4b2d1d7ce2ddefe6be0efbe54867094a5574cc8196749e7f0a1c203da0b8c3','["2026-10-9 上午10:30:00", "兰亭雅居", "客户关系部", "赵敏", "2026-10-9", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "", "", "林芳", "", "部分", "", "部分", "", "", "", "", "", "", "答对", "", "", "", "", "", "", ""]');
INSERT INTO "raw_rows" VALUES(8,2,2,4,'2026-11-29T14:44:24+00:00','ef7e0c59f20c6016965fb8d5d7eb0ba9b14a0f2fa02a9c11fe9f9e46f40fb032','["2026-11-5 下午02:00:00", "梧桐苑", "客户关系部", "赵敏", "2026-11-5", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "", "", "陈晓", "答错", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]');
INSERT INTO "raw_rows" VALUES(9,2,2,5,'2026-11-29T14:44:24+00:00','12b6b85b8e1b69eeca8930290984af73375ba81fa78cf23d91541ca20d5ff913','["2026-11-6 下午02:00:00", "兰亭雅居", "客户关系部", "赵敏", "2026-11-6", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "符合", "", "", "", "不知道", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""]');
INSERT INTO "raw_rows" VALUES(10,3,3,2,'2026-11-29T14:44:24+00:00','9dd5680398faee9070ffee5d405e8d7263a1a3a2d09b1a27150dbb2ee24508a3','["2026-10-3 上午10:00:00", "梧桐苑", "5", "4", "3", "4", "5", "前台很热情"]');
INSERT INTO "raw_rows" VALUES(11,3,3,3,'2026-11-29T14:44:24+00:00','3b42dc7a5cdac716d20401a7b9cc5e7f9f1e45786b6830e37d4d29fbb135f278','["2026-10-15 下午03:20:00", "梧桐苑", "3", "3", "2", "3", "3", "<script>alert(\"x\")</script><img src=x onerror=alert(1)> [点我](javascript:alert(1))"]');
INSERT INTO "raw_rows" VALUES(12,3,3,4,'2026-11-29T14:44:24+00:00','eb2500f710fe8bb2cde4db8fc5e4e501668305be46a2bea12b92abb027967c9c','["2026-11-2 上午09:00:00", "梧桐苑", "4", "4", "4", "4", "4", ""]');
INSERT INTO "raw_rows" VALUES(13,3,3,5,'2026-11-29T14:44:24+00:00','e69f54ad8b029b9e5fbbf9f544669e8c2c1562b5b924623f10ab3cfe88e01a8c','["2026-10-20 上午11:00:00", "兰亭雅居", "5", "5", "5", "5", "5", ""]');
INSERT INTO "raw_rows" VALUES(14,3,3,6,'2026-11-29T14:44:24+00:00','7b278ee8f258dc1f559511b21a03605e45909eea34e5154195976a5bc5dc55e1','["2026-10-21 上午11:00:00", "不存在小区", "5", "5", "5", "5", "5", ""]');
INSERT INTO "raw_rows" VALUES(15,3,3,7,'2026-11-29T14:44:24+00:00','61222c9be26a786e20d8ae80bacdb9cf3762fcb1cd1103bb9bd02bbc829898c6','["2026-10-22 上午11:00:00", "兰亭雅居", "6", "5", "5", "5", "5", ""]');
INSERT INTO "raw_rows" VALUES(16,4,4,2,'2026-11-29T14:44:24+00:00','149cea77f62984047be0fed4855b98e0856959efda0e7c26b88577d5824b9d34','["2026-11-19 上午09:41:05", "31 / 31", "梧桐苑", "起身微笑问候", "错误", "统一着装, 佩戴工牌, 仪容整洁", "等客户先挂机", "耐心倾听并表示理解", "正确", "核实问题是否解决, 询问业主满意程度, 记录回访结果", "说明原因并告知可联系的单位", "《中华人民共和国民法典》", "正确", "正确", "应事先告知物业服务企业, 物业应告知禁止行为和注意事项, 应遵守《业主公约》", "对全体业主和物业使用人", "投诉记录, 回访记录, 报修记录", "正确", "当场纠正并示范指导"]');
INSERT INTO "raw_rows" VALUES(17,4,4,3,'2026-11-29T14:44:24+00:00','792934ebaccb28afbfe4c47adc3799d3e9993aa7ee3dbc8acd67684ee6ab8212','["2026-11-19 上午09:52:40", "25 / 31", "梧桐苑", "起身微笑问候", "正确", "统一着装, 佩戴工牌", "等客户先挂机", "耐心倾听并表示理解", "正确", "核实问题是否解决, 询问业主满意程度, 记录回访结果", "说明原因并告知可联系的单位", "《中华人民共和国刑法》", "正确", "正确", "应事先告知物业服务企业, 物业应告知禁止行为和注意事项, 应遵守《业主公约》", "对全体业主和物业使用人", "投诉记录, 回访记录, 报修记录", "正确", "当场纠正并示范指导"]');
INSERT INTO "raw_rows" VALUES(18,4,4,4,'2026-11-29T14:44:24+00:00','b23a7589d6373ebadf88971865e8f014059a9e35f7ff978cfbcb87d72e353942','["2026-11-19 上午10:03:12", "12 / 31", "兰亭雅居", "起身微笑问候", "错误", "统一着装, 佩戴工牌, 仪容整洁", "等客户先挂机", "指出业主的错误", "正确", "核实问题是否解决, 询问业主满意程度, 记录回访结果, 要求业主给好评", "直接拒绝", "《中华人民共和国刑法》", "错误", "错误", "应事先告知物业服务企业, 可以拆改承重墙", "只对签字的业主", "投诉记录, 回访记录, 报修记录", "错误", "只记录扣分"]');
INSERT INTO "raw_rows" VALUES(19,4,4,5,'2026-11-29T14:44:24+00:00','98972aca1a883ddede5180a80426fa43720db9bea2b60f91cbc6dc30008a5c1a','["2026-11-19 下午01:15:00", "19 / 31", "兰亭雅居", "起身微笑问候", "错误", "统一着装", "等客户先挂机", "耐心倾听并表示理解", "正确", "要求业主给好评", "说明原因并告知可联系的单位", "《中华人民共和国民法典》", "正确", "正确", "应事先告知物业服务企业, 可以拆改承重墙", "对全体业主和物业使用人", "投诉记录", "正确", "当场纠正并示范指导"]');
INSERT INTO "raw_rows" VALUES(20,1,1,2,'2026-11-29T14:44:24+00:00','aea021a83273bd5789f21713bf66ca6d5ec28a2bdb4bf2e199cf0f7c011b2503','["2026-9-14 上午09:07:41", "青园小区", "客服主管", "孙丽", "2026-9-14", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "符合", "", "", "符合", "符合", "不符合 2 处及以上（扣完）", "符合", "", "未佩戴工牌"]');
CREATE TABLE sections (
    inspection_id TEXT NOT NULL,
    version       INTEGER NOT NULL,
    section       TEXT NOT NULL,
    corrected     INTEGER,                  -- 1 是, 0 否, NULL unanswered
    note          TEXT,
    PRIMARY KEY (inspection_id, version, section),
    FOREIGN KEY (inspection_id, version) REFERENCES versions(inspection_id, version)
);
INSERT INTO "sections" VALUES('ad6000cbe40f9502b7dc',1,'4.2.2',NULL,'未佩戴工牌');
INSERT INTO "sections" VALUES('c8af044e4c7ce86708e2',1,'4.2.1',0,'雨伞未放入伞架');
INSERT INTO "sections" VALUES('ad6000cbe40f9502b7dc',2,'4.2.2',NULL,'未佩戴工牌');
CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    key           TEXT NOT NULL UNIQUE,     -- checklist:sheet:KEY#gid or checklist:file:NAME
    checklist     TEXT NOT NULL,
    kind          TEXT NOT NULL,            -- sheet | file
    locator       TEXT NOT NULL,            -- spreadsheet key or file name
    title         TEXT NOT NULL,
    timezone      TEXT,                     -- the spreadsheet's own zone (NULL for CSV)
    first_read_at TEXT NOT NULL
);
INSERT INTO "sources" VALUES(1,'daily-patrol:file:daily-patrol.csv','daily-patrol','file','daily-patrol.csv','daily-patrol.csv',NULL,'2026-11-29T14:44:24+00:00');
INSERT INTO "sources" VALUES(2,'crd-spot-check:file:crd-spot-check.questioning.zh-CN.csv','crd-spot-check','file','crd-spot-check.questioning.zh-CN.csv','crd-spot-check.questioning.zh-CN.csv',NULL,'2026-11-29T14:44:24+00:00');
INSERT INTO "sources" VALUES(3,'customer-survey:file:customer-survey.zh-CN.csv','customer-survey','file','customer-survey.zh-CN.csv','customer-survey.zh-CN.csv',NULL,'2026-11-29T14:44:24+00:00');
INSERT INTO "sources" VALUES(4,'exam-2026Q4:file:quiz-zh-CN.csv','exam-2026Q4','file','quiz-zh-CN.csv','quiz-zh-CN.csv',NULL,'2026-11-29T14:44:24+00:00');
CREATE TABLE survey_answers (
    response_id TEXT NOT NULL REFERENCES survey_responses(id),
    question    TEXT NOT NULL,
    value       INTEGER NOT NULL,
    PRIMARY KEY (response_id, question)
);
INSERT INTO "survey_answers" VALUES('743eea0a7d1627020bb7','attitude',5);
INSERT INTO "survey_answers" VALUES('743eea0a7d1627020bb7','manner',4);
INSERT INTO "survey_answers" VALUES('743eea0a7d1627020bb7','speed',3);
INSERT INTO "survey_answers" VALUES('743eea0a7d1627020bb7','solved',4);
INSERT INTO "survey_answers" VALUES('743eea0a7d1627020bb7','overall',5);
INSERT INTO "survey_answers" VALUES('7ad22c58a3c17c6d93d5','attitude',3);
INSERT INTO "survey_answers" VALUES('7ad22c58a3c17c6d93d5','manner',3);
INSERT INTO "survey_answers" VALUES('7ad22c58a3c17c6d93d5','speed',2);
INSERT INTO "survey_answers" VALUES('7ad22c58a3c17c6d93d5','solved',3);
INSERT INTO "survey_answers" VALUES('7ad22c58a3c17c6d93d5','overall',3);
INSERT INTO "survey_answers" VALUES('2e33a8bc97941232d76c','attitude',4);
INSERT INTO "survey_answers" VALUES('2e33a8bc97941232d76c','manner',4);
INSERT INTO "survey_answers" VALUES('2e33a8bc97941232d76c','speed',4);
INSERT INTO "survey_answers" VALUES('2e33a8bc97941232d76c','solved',4);
INSERT INTO "survey_answers" VALUES('2e33a8bc97941232d76c','overall',4);
INSERT INTO "survey_answers" VALUES('d4c30ee3961a443637d9','attitude',5);
INSERT INTO "survey_answers" VALUES('d4c30ee3961a443637d9','manner',5);
INSERT INTO "survey_answers" VALUES('d4c30ee3961a443637d9','speed',5);
INSERT INTO "survey_answers" VALUES('d4c30ee3961a443637d9','solved',5);
INSERT INTO "survey_answers" VALUES('d4c30ee3961a443637d9','overall',5);
CREATE TABLE survey_responses (
    id            TEXT PRIMARY KEY,         -- hash of submission time, project, answers and comment
    survey        TEXT NOT NULL,            -- questionnaire id
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    row_number    INTEGER NOT NULL,
    raw_row_id    INTEGER NOT NULL REFERENCES raw_rows(id),   -- the mapped cells only
    submitted_at  TEXT NOT NULL,
    project       TEXT NOT NULL,
    form_version  TEXT NOT NULL,
    comment       TEXT NOT NULL,            -- as typed ('' when none): nothing else about the owner is kept
    first_seen_at TEXT NOT NULL,
    gone_at       TEXT
);
INSERT INTO "survey_responses" VALUES('743eea0a7d1627020bb7','customer-survey',3,2,10,'2026-10-03T10:00:00+08:00','wutong','','前台很热情','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "survey_responses" VALUES('7ad22c58a3c17c6d93d5','customer-survey',3,3,11,'2026-10-15T15:20:00+08:00','wutong','','<script>alert("x")</script><img src=x onerror=alert(1)> [点我](javascript:alert(1))','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "survey_responses" VALUES('2e33a8bc97941232d76c','customer-survey',3,4,12,'2026-11-02T09:00:00+08:00','wutong','','','2026-11-29T14:44:24+00:00',NULL);
INSERT INTO "survey_responses" VALUES('d4c30ee3961a443637d9','customer-survey',3,5,13,'2026-10-20T11:00:00+08:00','lanting','','','2026-11-29T14:44:24+00:00',NULL);
CREATE TABLE unmapped_columns (
    id            INTEGER PRIMARY KEY,
    source_id     INTEGER NOT NULL REFERENCES sources(id),
    column_name   TEXT NOT NULL,
    position      INTEGER NOT NULL,         -- 1-based column number when first seen
    first_seen_at TEXT NOT NULL,
    UNIQUE (source_id, column_name)
);
CREATE TABLE versions (
    inspection_id    TEXT NOT NULL REFERENCES inspections(id),
    version          INTEGER NOT NULL,
    raw_row_id       INTEGER NOT NULL REFERENCES raw_rows(id),
    content_hash     TEXT NOT NULL,
    fetched_at       TEXT NOT NULL,
    submitted_at     TEXT NOT NULL,         -- ISO 8601 with offset, organisation's zone
    timezone         TEXT NOT NULL,
    project          TEXT NOT NULL,
    role             TEXT NOT NULL,
    inspector        TEXT NOT NULL,
    date             TEXT NOT NULL,
    form_version     TEXT NOT NULL,
    respondent_email TEXT NOT NULL,         -- kept, never read into Inspection
    extra            TEXT NOT NULL, findings TEXT NOT NULL DEFAULT '{}', labels TEXT NOT NULL DEFAULT '{}',         -- JSON: answers of unmapped columns by header
    PRIMARY KEY (inspection_id, version)
);
INSERT INTO "versions" VALUES('ad6000cbe40f9502b7dc',1,1,'ad6000cbe40f9502b7dc4bd9326b2acc0900544fcfe36455912bf88a61a444e9','2026-11-29T14:44:24+00:00','2026-09-14T09:07:41+08:00','Asia/Shanghai','qingyuan','cs_supervisor','孙丽','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":1,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":2,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"不符合 1 处","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"不符合 2 处及以上（扣完）","4.2.2.1-x4":"符合"}');
INSERT INTO "versions" VALUES('c8af044e4c7ce86708e2',1,2,'c8af044e4c7ce86708e2b91e65718ca027453a21e52b3e1985029e2486b2df63','2026-11-29T14:44:24+00:00','2026-09-14T09:40:40+08:00','Asia/Shanghai','binjiang','cs_supervisor','张磊','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":null,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":3,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"不适用","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"不符合 3 处及以上（扣完）","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合"}');
INSERT INTO "versions" VALUES('c12ce3d96048db91120c',1,3,'c12ce3d96048db91120c57534b4bf3fc2d30fbd39401e6206992a3a2bab34207','2026-11-29T14:44:24+00:00','2026-09-14T09:50:06+08:00','Asia/Shanghai','yuelan','cs_supervisor','王芳','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合"}');
INSERT INTO "versions" VALUES('7c350a2ddab632092ec6',1,4,'7c350a2ddab632092ec69c5ace3665a37273be35339d34ced1527f4c093e89e2','2026-11-29T14:44:24+00:00','2026-09-14T10:05:27+08:00','Asia/Shanghai','lanting','cs_supervisor','刘洋','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":1,"4.2.1.2-d":0,"4.2.1.2-e":2,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"不符合 1 处","4.2.1.2-d":"符合","4.2.1.2-e":"不符合 2 处","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合"}');
INSERT INTO "versions" VALUES('90f34315e87658f16e49',1,5,'90f34315e87658f16e492fead88f2201ed9ef161ed86588c2826a0a72d1ac843','2026-11-29T14:44:24+00:00','2026-09-14T10:10:14+08:00','Asia/Shanghai','xiangshu','cs_supervisor','林丽','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":1,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"不符合 1 处","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合"}');
INSERT INTO "versions" VALUES('792603825d49f1b74343',1,6,'792603825d49f1b74343a26efb056ac7003b550585de84c804a2d72126d72329','2026-11-29T14:44:24+00:00','2026-10-08T10:30:00+08:00','Asia/Shanghai','wutong','crd','赵敏','2026-10-08','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0,"4.2.3.1":0,"4.2.3.2":0,"4.2.3.3":0,"4.2.3.4":0,"4.2.4.1-x1":0,"4.2.4.1-x2":0,"4.2.4.1-x3":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合","4.2.3.1":"符合","4.2.3.2":"符合","4.2.3.3":"符合","4.2.3.4":"符合","4.2.4.1-x1":"符合","4.2.4.1-x2":"符合","4.2.4.1-x3":"符合"}');
INSERT INTO "versions" VALUES('b76d18caf3673f5063e6',1,7,'b76d18caf3673f5063e6f5360cdd30051301b24e70ede87014652f69936daf89','2026-11-29T14:44:24+00:00','2026-10-09T10:30:00+08:00','Asia/Shanghai','lanting','crd','赵敏','2026-10-09','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0,"4.2.3.1":0,"4.2.3.2":0,"4.2.3.3":0,"4.2.3.4":0,"4.2.4.1-x1":0,"4.2.4.1-x2":0,"4.2.4.1-x3":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合","4.2.3.1":"符合","4.2.3.2":"符合","4.2.3.3":"符合","4.2.3.4":"符合","4.2.4.1-x1":"符合","4.2.4.1-x2":"符合","4.2.4.1-x3":"符合"}');
INSERT INTO "versions" VALUES('e728307365f59835972f',1,8,'e728307365f59835972fb2e5fc41e666602efb12f3b53f98eda91100bc094078','2026-11-29T14:44:24+00:00','2026-11-05T14:00:00+08:00','Asia/Shanghai','wutong','crd','赵敏','2026-11-05','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":0,"4.2.2.1-x4":0,"4.2.3.1":0,"4.2.3.2":0,"4.2.3.3":0,"4.2.3.4":0,"4.2.4.1-x1":0,"4.2.4.1-x2":0,"4.2.4.1-x3":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"符合","4.2.2.1-x4":"符合","4.2.3.1":"符合","4.2.3.2":"符合","4.2.3.3":"符合","4.2.3.4":"符合","4.2.4.1-x1":"符合","4.2.4.1-x2":"符合","4.2.4.1-x3":"符合"}');
INSERT INTO "versions" VALUES('ad6000cbe40f9502b7dc',2,20,'75b4090f9a217db76a5bb40e313616810b6b4a00c0346f7564f4168d02aa0a0c','2026-11-29T14:44:24+00:00','2026-09-14T09:07:41+08:00','Asia/Shanghai','qingyuan','cs_supervisor','孙丽','2026-09-14','','','{}','{"4.2.1.1-a":0,"4.2.1.1-b":0,"4.2.1.1-c":0,"4.2.1.2-a":0,"4.2.1.2-b":0,"4.2.1.2-c":0,"4.2.1.2-d":0,"4.2.1.2-e":0,"4.2.1.2-f":0,"4.2.2.1-x1":0,"4.2.2.1-x2":0,"4.2.2.1-x3":2,"4.2.2.1-x4":0}','{"4.2.1.1-a":"符合","4.2.1.1-b":"符合","4.2.1.1-c":"符合","4.2.1.2-a":"符合","4.2.1.2-b":"符合","4.2.1.2-c":"符合","4.2.1.2-d":"符合","4.2.1.2-e":"符合","4.2.1.2-f":"符合","4.2.2.1-x1":"符合","4.2.2.1-x2":"符合","4.2.2.1-x3":"不符合 2 处及以上（扣完）","4.2.2.1-x4":"符合"}');
CREATE INDEX versions_by_hash ON versions (content_hash);
CREATE INDEX inspections_by_checklist ON inspections (checklist);
CREATE INDEX survey_by_project ON survey_responses (project, submitted_at);
CREATE INDEX exam_responses_by_exam ON exam_responses (exam, project);
CREATE INDEX inspections_by_source ON inspections (source_id);
CREATE VIEW answers AS
    SELECT v.inspection_id AS inspection_id, v.version AS version, f.key AS item_code, f.value AS findings,
           COALESCE(json_extract(v.labels, '$."' || f.key || '"'), '') AS label
    FROM versions v, json_each(v.findings) f;
CREATE INDEX quarantine_by_source ON quarantine (source_id)
;
COMMIT;
PRAGMA user_version = 5;
