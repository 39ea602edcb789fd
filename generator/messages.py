"""The catalogue of user-facing messages: one code per message (as pyxform's ErrorCode).

Users read Simplified Chinese; code and tests refer to a message by its member
(`Msg.FILE_MISSING`) or its code (`S101`), so a reworded message changes here
only. Templates are `str.format` strings; a hint says how to fix the problem.

Codes: S standards diagnostics (S1 files and syntax, S2 structure, S3 meaning, S4 what an edit re-scores),
C command line, L forms lock file, F Google Forms, G Google Sheets (ingest), X quarterly exam,
Q customer questionnaire, R random questioning, I ingest (a source refused as a whole),
D the SQLite store (database), B the site (build, serve, PDFs), N same-day alerts (notify),
A corrective actions (a fix report that cannot be attached to an action).

Terms are the site's: 检查表 (a patrol checklist), 检查条目 (an item), 表单 (a Google Form),
回复表 (the Google Sheet a form writes its responses to), 数据库 (the SQLite store).
"""

from __future__ import annotations

from enum import Enum

# How a message and its hint are joined on one line: "message：hint。" (the default), or, for messages
# whose text ends a sentence of its own ("……；本次未写入任何内容"), "message。hint。".
COLON = "："
SENTENCE = "。"


class Msg(Enum):
    """One user-facing message: `code`, `text` template, optional `hint` template and how they are joined
    (and for a quarantine reason, `short`: its name in summaries).

    Raise one as `HandbookError(Msg.X, **fields)`; `Msg.X.line(**fields)` is the same line as text
    (a warning, a failed send's detail).
    """

    def __init__(self, code: str, text: str, hint: str | None = None, joiner: str = COLON, short: str | None = None):
        self.code, self.text, self.hint, self.joiner = code, text, hint, joiner
        # A quarantine reason's (I3xx) name in the ingest summary and for stored rows without their reason as
        # data: given, else the hint when it has no fields
        self.short = short if short is not None else (hint if hint and "{" not in hint else None)

    def render(self, **fields) -> tuple[str, str | None]:
        """(message, hint) with `fields` filled in."""
        return self.text.format(**fields), self.hint.format(**fields) if self.hint else None

    def __call__(self, **fields) -> str:
        """The message text alone with `fields` filled in (a line printed as is, e.g. `Msg.WROTE(...)`)."""
        return self.text.format(**fields)

    def line(self, **fields) -> str:
        """The message as one line: "message：hint。" (or "message。hint。"); without a hint, the message."""
        message, hint = self.render(**fields)
        return f"{message}{self.joiner}{hint}。" if hint else message

    # standards: files and syntax
    FILE_MISSING = ("S101", "缺少标准文件 {name}", "在 {folder} 下创建 {name}，可参照随项目提供的示例")
    FILE_UNREADABLE = ("S102", "无法读取文件：{reason}", "检查文件权限和编码（应为 UTF-8）")
    FILE_UNKNOWN = ("S103", "未知的标准文件 {name}，已忽略", "标准文件只能是：{known}")
    YAML_SYNTAX = ("S104", "YAML 语法错误：{problem}", "检查该位置及上一行的缩进、冒号、括号和引号")
    YAML_DUPLICATE_KEY = ("S105", "重复的键“{key}”（第 {first} 行已出现）", "删除或合并其中一个")
    YAML_TOO_DEEP = ("S106", "YAML 嵌套过深或别名过多", "检查锚点（&）与别名（*）是否循环引用")
    YAML_NOT_MAPPING = ("S107", "文件顶层应为键值映射（key: value）", "参照示例文件的结构")
    YAML_EMPTY = ("S108", "文件为空", "参照示例文件填写内容")

    # standards: structure (from the schema)
    UNKNOWN_KEY = ("S201", "未知字段“{key}”", "{suggestion}")
    MISSING_KEY = ("S202", "缺少必填字段“{key}”", "在此处添加 {key}: …")
    WRONG_TYPE = ("S203", "“{key}”的类型错误：应为{expected}，实际为{actual}", "{type_hint}")
    BAD_CHOICE = ("S204", "“{key}”的值“{value}”无效", "可选值：{choices}")
    TOO_SMALL = ("S205", "“{key}”必须大于 {limit}（当前为 {value}）", "改为大于 {limit} 的数")
    TOO_SMALL_EQ = ("S206", "“{key}”不能小于 {limit}（当前为 {value}）", "改为不小于 {limit} 的数")
    TOO_LARGE = ("S207", "“{key}”不能大于 {limit}（当前为 {value}）", "改为不大于 {limit} 的数")
    EMPTY_LIST = ("S208", "“{key}”不能为空", "至少填写一项")
    BAD_FORMAT = ("S209", "“{key}”的格式不对：“{value}”", "{format_hint}")
    INVALID = ("S210", "“{key}”无效：{reason}", None)

    # standards: meaning (cross-checks)
    DUPLICATE = ("S301", "重复的{what}“{value}”（第 {first} 行已定义）", "{what}必须唯一，请改名或删除其一")
    UNKNOWN_REF = ("S302", "未知的{what}“{value}”", "{suggestion}")
    CODE_OUTSIDE_CLAUSE = ("S303", "条目代码“{code}”不在所属条款 {number} 之下", "代码应以 {number} 开头，例如 {number}-a")
    DEDUCTION_GT_POINTS = ("S304", "每处扣分 {deduction} 大于分值 {points}", "每处扣分不能超过该条目的分值")
    BANDS_START = ("S305", "评级区间应从 0 开始（最低一档的 min 为 {value}）", "把最低一档的 min 改为 0")
    BANDS_END = ("S306", "评级区间应到 100 为止（最高一档的 max 为 {value}）", "把最高一档的 max 改为 100")
    BANDS_GAP = ("S307", "评级区间有空档：{lower} 的 max 为 {a}，{upper} 的 min 为 {b}", "让相邻两档首尾相接（下一档的 min 等于上一档的 max）")
    BANDS_OVERLAP = ("S308", "评级区间重叠：{lower} 的 max 为 {a}，{upper} 的 min 为 {b}", "让相邻两档首尾相接（下一档的 min 等于上一档的 max）")
    BAND_EMPTY = ("S309", "评级“{name}”的 min {min} 不小于 max {max}", "min 必须小于 max")
    CHECKLIST_EMPTY = ("S310", "检查表“{id}”没有任何条目", "检查 include、exclude 与 methods 的组合")
    BAD_TIMEZONE = ("S311", "未知时区“{value}”", "使用 IANA 时区名，例如 Asia/Shanghai")
    NOT_INSPECTOR = ("S312", "角色“{role}”在检查表“{id}”中，但未设 inspects: true", "在 organisation.yaml 中为该角色加 inspects: true")
    ITEM_UNUSED = ("S313", "条目“{code}”不在任何检查表中", "在 checklists.yaml 的某张表 include 它，或确认它只用于其他检查方式")
    CLAUSE_EMPTY = ("S314", "条款 {number} 没有标题、正文、条目或下级条款", "补充内容或删除此条")
    STANDARDS_HAVE_ERRORS = ("S001", "标准文件有 {count} 个错误，请先修正（运行 handbook check 查看）。")
    CHECK_FAILED = ("S002", "{folder} 有 {count} 个{what}，修正后重新运行 handbook check。")

    # command line
    UNKNOWN_PROJECTS = ("C001", "未知项目“{unknown}”；可用项目：{known}")
    STORE_MISSING = ("C002", '找不到数据库 {path}', '先运行 handbook ingest，或用 --store 指定已有的数据库')
    XLSX_NEEDS_OUTPUT = ("C003", "xlsx 是二进制文件，请用 --output FILE.xlsx 指定输出文件。")
    CANNOT_WRITE = ("C004", "无法写入 {path}：{reason}")
    FORMS_STALE = ("C005", "{folder} 中的表单定义已过期：{stale}；运行 handbook forms build 后提交")
    RECREATE_NEEDS_CHECKLIST = ("C006", "--recreate 会新建表单，必须用 --checklist 指明是哪一张检查表")
    STANDARDS_DIR_MISSING = ("C007", "找不到标准目录 {folder}/：请在仓库根目录运行，或用 --standards 指定")
    STANDARDS_DIR_NAMED_MISSING = ("C008", "找不到 --standards 指定的标准目录 {folder}：检查路径是否写错")
    USAGE_ERROR = ("C009", "{message}（运行 {command} -h 查看用法）")
    INGEST_NEEDS_CHECKLIST = ("C010", "--sheet 和 --file 需要用 --checklist 指明是哪张表单的回复；可选：{known}")
    UNKNOWN_FORM = ("C011", "未知的检查表或表单“{value}”；可选：{known}")
    DATES_REVERSED = ("C012", "--to {end} 早于 --from {start}：结束日期不能早于开始日期")
    WROTE = ("C013", "已写入 {path}{detail}")
    WRONG_EXTENSION = ("C014", "{option} {path}：{what}，文件名应以 {suffixes} 结尾")
    PORT_IN_USE = ("C015", "端口 {port} 已被占用（{host}:{port} 上已有程序在运行）：先停止它，或用 --port 换一个端口，例如 --port {other}")
    SIMULATE_NEEDS_DATES = ("C017", "模拟 {form} 的回复需要 --from 和 --to，例如 --from 2026-09-14 --to 2026-11-22")
    NOTHING_TO_INGEST = ("C016", "没有可导入的回复：锁文件 {lock} 中没有记录任何回复表。导入导出的文件用 "
                                 "handbook ingest --file 文件 --checklist 表单；读取 Google 回复表先用 handbook forms link 记录它")
    INSTRUMENT_WITHOUT_FORMS = ("C018", "标准中没有{title}的表单（checklists.yaml 或 methods.yaml 未定义它），没有可写出或推送的表单")
    QUARTER_ARCHIVED = ("C040", "{quarter}已结束，考核建议已存档（计入 {day} 及以前录入的检查）；此后的数据只作为修订列出")
    QUARTER_REVISED = ("C041", "{quarter}的存档考核建议有 {count} 处变化，已记为一次修订（见该季度考核页面的“修订”）")

    # forms lock file
    LOCK_UNUSABLE = ("L001", "锁文件 {path} 无法使用：{where}{what}。不要手工编辑它；用 git checkout -- {path} 恢复上一个版本后重新运行")
    LOCK_MALFORMED = ("L002", "锁文件 {path} 的结构不对（{kind}：{detail}）。不要手工编辑它；用 git checkout -- {path} 恢复上一个版本后重新运行")
    NOT_A_SHEET_URL = ("L003", "“{url}”不是 Google 表格的链接：应形如 "
                               "https://docs.google.com/spreadsheets/d/<表格 id>/edit#gid=0，或者只写表格 id")
    NO_FORM_IN_LOCK = ("L004", "锁文件 {path} 中没有检查表“{checklist}”的表单（已有：{known}）；先运行 handbook forms push 创建表单")

    # Google Forms
    UNKNOWN_FORMS = ("F001", "未知的检查表：{unknown}（可选：{known}）")
    FORM_INVALID = ("F003", "{label} 不符合 Google Forms API 的格式，共 {count} 处：{shown}{more}")
    CREDENTIALS_FLAG_MISSING = ("F004", "找不到凭据文件 {path}（来自 --credentials）：检查路径，或下载服务账号密钥 / OAuth 客户端 JSON")
    CREDENTIALS_ENV_MISSING = ("F005", "找不到凭据文件 {path}（来自环境变量 {env}）：改正该变量，或改用 --credentials 文件")
    NO_FORMS_CREDENTIALS = ("F006", "没有 Google 凭据：依次查找了 --credentials（未给出）、环境变量 {env}（未设置）和默认文件 {default}"
                                    "（不存在）。把服务账号密钥或 OAuth 客户端 JSON 放到 {default}，或用 --credentials 文件 指定")
    CREDENTIALS_NOT_JSON = ("F007", "凭据文件 {where} 不是有效的 JSON：重新下载服务账号密钥或 OAuth 客户端文件")
    CREDENTIALS_NOT_GOOGLE = ("F008", "凭据文件 {where} 不是 Google 凭据：应为服务账号密钥或 OAuth 客户端 JSON")
    CREDENTIALS_DAMAGED = ("F009", "凭据文件 {where} 内容不完整或已损坏：重新下载服务账号密钥或 OAuth 客户端文件")
    CREDENTIALS_KIND = ("F010", "凭据文件 {where} 既不是服务账号密钥（type: service_account），也不是 OAuth 客户端"
                                "（installed）：在 Google Cloud 控制台重新下载")
    TOKEN_REFUSED = ("F011", "无法用凭据 {path} 换取访问令牌：{reason}。确认密钥没有被删除或停用，必要时在 Google Cloud 控制台重新下载")
    FORMS_UNAVAILABLE = ("F012", "Google Forms API 暂时不可用：{what}（{target}）试了 {attempts} 次、{seconds:.0f} 秒，"
                                 "最后一次 {failure}。稍后重新运行 handbook forms push（已完成的部分已记入锁文件）")
    FORM_404 = ("F013", "{target} 在 Google 上不存在（404，可能已被删除）：运行 handbook forms push --recreate "
                        "新建一份（旧的回复表仍可读取，新表单要重新关联回复表）")
    FORMS_401 = ("F014", "Google 拒绝了凭据（401，{what}）：{reason}。检查凭据文件 {path} 是否有效，必要时重新下载")
    FORMS_403 = ("F015", "没有权限操作{target}（403，{what}）：{reason}。若提示 API 未启用，在 Google Cloud 控制台为凭据所属项目"
                         "启用 Google Forms API；否则用表单所有者的账号把该表单共享给{account}（编辑者）")
    FORMS_HTTP = ("F016", "Google 拒绝了 {what}（{target}，HTTP {status}）：{reason}")
    FORM_GONE = ("F002", "检查表 {checklist} 的表单 {form_id} 在 Google 上不存在（404，可能已被删除）：运行 handbook forms push "
                         "--recreate --checklist {checklist} 新建一份（旧的回复表仍可读取，新表单要重新关联回复表）")
    FORM_ID_COLLISION = ("F017", "检查表 {checklist}：“{title}”与“{other}”的表单 id {id} 冲突，请把其中一个条目代码改名后重试。")

    # Google Sheets (ingest): credentials, access, retries
    SHEETS_KEY_MISSING = ("G001", "找不到服务账号密钥 {path}（来自 {origin}）：检查路径，或用 --credentials 指定密钥文件")
    NO_SHEETS_CREDENTIALS = ("G002", "没有 Google 凭据：用 --credentials 指定服务账号密钥（JSON），或设置环境变量 {env}，"
                                     "或把密钥放在 {default}")
    NOT_A_SERVICE_KEY = ("G003", "{path} 不是服务账号密钥（应为含 client_email 和 private_key 的 JSON）：在 Google Cloud 控制台重新下载")
    SHEETS_REFUSED = ("G004", "Google 表格拒绝读取{what}（回复表 {sheet}）：HTTP {answer}")
    SHEETS_SIGN_IN = ("G005", "无法以服务账号 {email} 登录 Google：{reason}。确认密钥没有被删除或停用")
    SHEETS_KEPT_FAILING = ("G006", "读取回复表 {sheet} 的{what}时 Google 表格一直出错（{problem}），{seconds:g} 秒内试了 {tries} 次，"
                                   "已放弃：请稍后重试（数据库未作改动）")
    SHEET_FORBIDDEN = ("G007", "无权读取回复表 {sheet}（{checklist}）：请把它共享给服务账号 {email}（查看者权限即可）")
    SHEET_NOT_FOUND = ("G008", "找不到回复表 {sheet}（{checklist}）：检查 forms/forms.lock.yaml 或 --sheet 中的表格 id 或链接")
    NO_WORKSHEET_GID = ("G009", "回复表“{title}”（{sheet}）中没有 gid={gid} 的工作表；现有：{names}")
    NO_WORKSHEET_NAMED = ("G010", "回复表“{title}”（{sheet}）中没有名为“{name}”的工作表；现有：{names}")
    WHICH_WORKSHEET = ("G011", "回复表“{title}”（{sheet}）有多个工作表，无法判断回复在哪一个（{names}）：在链接末尾加上 #gid=…")
    SERVICE_KEY_UNUSABLE = ("G012", "{path} 不是可用的服务账号密钥（{reason}）：在 Google Cloud 控制台重新下载")
    # why Google refused a sign-in (the `reason` of F011 and G005, `google_auth.refusal`): the OAuth 2.0 token
    # endpoint's error (RFC 6749 section 5.2) in Chinese, Google's own code and words in brackets
    SIGN_IN_INVALID_GRANT = ("G013", "密钥已被删除或停用、不属于该服务账号，或本机时钟不准（Google：{google}）")
    SIGN_IN_INVALID_CLIENT = ("G014", "凭据无效（服务账号或 OAuth 客户端不存在或已被停用）（Google：{google}）")
    SIGN_IN_UNAUTHORIZED_CLIENT = ("G015", "该账号不允许这种登录方式（Google：{google}）")
    SIGN_IN_ACCESS_DENIED = ("G016", "Google 拒绝了访问（Google：{google}）")
    SIGN_IN_INVALID_SCOPE = ("G017", "请求的权限范围无效（Google：{google}）")
    SIGN_IN_INVALID_REQUEST = ("G018", "登录请求无效（凭据文件可能不完整）（Google：{google}）")
    SIGN_IN_REFUSED = ("G019", "Google 拒绝了登录（{google}）")
    SIGN_IN_REFUSED_SILENTLY = ("G020", "Google 拒绝了登录")

    # quarterly exam
    BAD_QUARTER = ("X001", "季度“{text}”格式不对：应写成 2026Q4（年份 + Q + 1 到 4）")
    NOT_AN_EXAM_FORM = ("X002", "“{form}”不是季度考试表单代号（应形如 exam-2026Q4）")
    NO_EXAM_BANK = ("X003", "methods.yaml 中没有季度考试题库（exam），请先添加题目。")
    POINTS_NOT_WHOLE = ("X004", "考试题 {question} 的分值 {points} 不是整数：Google 表单测验只接受整数分值")
    BAD_WRONG_KEY = ("X005", "--wrong-key 应写成 题目代号=选项，例如 etiquette-1=请客户先填表；收到“{text}”")
    NOT_EXAM_RESPONSES = ("X006", "{source}：不像季度考试的回复表（要有时间戳记、{project}和考试题目列），表头为 {header}…")
    EXAM_WRONG_QUARTER = ("X007", "{source} 第 {row} 行的答卷提交于 {day}，不在考试 {form}（{label}，前后宽限 {grace} 天）之内，而在 {fit_label}；本次未写入任何内容", "请改用 --checklist exam-{fit}，或核对答卷的提交时间", SENTENCE)
    # a quiz's form scored responses otherwise than the bank (a warning of the ingest; the bank's score is kept)
    EXAM_KEY_DIFFERS = ("X008", "{n} 份答卷表单自动评分与题库评分不一致：{named}{tail}。"
                                "已按题库（methods.yaml）评分；运行 handbook exam push 可用题库答案更新表单。")
    EXAM_KEY_SEEMS = ("X009", "题目 {qid} 在表单中的答案似为“{keys}”")
    EXAM_KEY_PARTLY = ("X010", "（仍有部分分数对不上，可能还有其他题或分值不同）")
    EXAM_SCORE_UNEXPLAINED = ("X011", "{n} 份答卷表单自动评分与题库评分不一致，无法判断是哪道题{total}。已按题库（methods.yaml）评分。")
    EXAM_TOTAL_DIFFERS = ("X012", "（表单满分与题库满分不同，可能分值不一致）")

    # customer questionnaire
    NO_QUESTIONNAIRE = ("Q001", "methods.yaml 中没有客户问卷（questionnaire），请先添加。")

    # random questioning
    NO_QUESTION_BANK = ("R001", "methods.yaml 中没有抽问题库（questioning），请先添加题目。")
    BAD_DRAW_COUNT = ("R003", "--n 应在 1 到 {count} 之间（题库共 {count} 题）。")
    CANNOT_WRITE_CARD = ("R004", "无法写入抽问卡 {path}：{reason}")


    # standards: checker roles (cross-check)
    ROLE_NOT_ON_CHECKLIST = ("S315", '条目“{code}”的检查人有角色“{role_name}”（{role}），但没有哪张检查表让该角色检查此条目', '在 checklists.yaml 中给包含此条目的检查表（{checklists}）的 roles 加上 {role}，或从此条目的 roles 中删去 {role}')
    PROJECT_DATES = ("S340", "项目“{id}”的 until {until} 早于 since {since}", "since 是接管日期、until 是撤场日期：让 until 不早于 since，或删去其一")

    # standards: notifications (organisation.yaml)
    ENV_NAME_EXPECTED = ("S316", "“{key}”应为环境变量名，不是密钥本身", "只写环境变量名（大写英文字母、数字和下划线，例如 HANDBOOK_WECOM_CRD），把 key、密钥或密码放进该环境变量或 notify 凭据文件")
    RECIPIENT_UNSCOPED = ("S317", "收件人既没有 role 也没有 projects", "写 role（例如 crd：收到所有项目的提醒）或 projects（只收这些项目）")
    RECIPIENT_TEAM_ROLE = ("S318", "角色“{role}”（{name}）属于项目团队，收件人须写明 projects", "加上 projects: [项目代号]，否则该项目团队会收到所有项目的提醒")
    RECIPIENT_NO_CHANNEL = ("S319", "收件人没有任何渠道", "至少写 wecom、dingtalk 或 email 之一")
    BAD_ADDRESS = ("S320", "“{value}”不是有效的邮箱地址", "写成 name@example.com 的形式，一行一个")
    SMTP_MISSING = ("S321", "有收件邮箱，但 notifications 中没有 smtp（发信服务器）", "在 notifications 下加 smtp: {{host: …, port: 587, sender: …}}")

    # notify: same-day alerts
    NOTIFY_NOT_CONFIGURED = ("N001", "organisation.yaml 中没有 notifications，不知道把提醒发给谁", "按维护说明在 organisation.yaml 中加上 notifications 后重新运行 handbook check")
    NOTIFY_SECRET_MISSING = ("N002", "{channel}：环境变量 {env} 未设置，凭据文件 {file} 中也没有", "设置该环境变量，或把 {env}=… 写进凭据文件（放在仓库之外）")
    NOTIFY_CREDENTIALS_UNREADABLE = ("N003", "无法读取 notify 凭据文件 {path}：{reason}", "检查路径和权限；文件每行一个 名称=值")
    NOTIFY_CREDENTIALS_LINE = ("N004", "notify 凭据文件 {path} 第 {line} 行不是“名称=值”", "每行写一个 名称=值，例如 HANDBOOK_WECOM_CRD=…；以 # 开头的行是注释")
    NOTIFY_HTTP_STATUS = ("N010", "{channel}：发送失败，HTTP {status}", "检查机器人地址是否正确、机器人是否被移除；下次运行会重发")
    NOTIFY_ROBOT_ERROR = ("N011", "{channel}：机器人拒绝了消息（errcode {errcode}：{errmsg}）", "按错误码检查 key、签名或关键词设置；下次运行会重发")
    NOTIFY_TIMEOUT = ("N012", "{channel}：{seconds:g} 秒内没有应答（超时）", "检查网络或代理；下次运行会重发")
    NOTIFY_UNREACHABLE = ("N013", "{channel}：无法连接（{reason}）", "检查网络、代理和服务器地址；下次运行会重发")
    NOTIFY_SMTP_REFUSED = ("N014", "{channel}：邮件服务器拒绝（{code} {reason}）", "检查 smtp 设置、用户名和密码及收件地址；下次运行会重发")
    NOTIFY_BAD_ANSWER = ("N015", "{channel}：应答无法识别（{detail}）", "检查机器人地址是否指向企业微信或钉钉；下次运行会重发")
    NOTIFY_NO_STARTTLS = ("N016", "{channel}：邮件服务器不支持 STARTTLS，没有发送（密码不能明文传输）", "改用支持 STARTTLS 的端口（通常 587）")
    NOTIFY_FAILED = ("N020", "{failed} 个渠道发送失败（见上），其余已发出；失败的提醒会在下次运行时重发。")
    NOTIFY_BUSY = ("N021", "另一个 handbook notify 正在使用数据库 {path}", "等它结束后再运行；本次什么也没有发送")
    NOTIFY_NO_SITE_URL = ("N023", "mkdocs.yml 中没有 site_url，提醒里的链接只写页面路径", "在 mkdocs.yml 中写上网站地址 site_url: https://…/，或用 --site-url 指定")
    NOTIFY_SINCE_FUTURE = ("N022", "--since {since} 晚于今天 {today}", "写今天或更早的日期")
    NOTIFY_BAD_URL = ("N017", "{channel}：机器人地址无效（{reason}）", "检查环境变量或凭据文件中 {env} 的值：应为机器人的 key，或以 https:// 开头的完整地址（主机名每段最多 63 个字符）；下次运行会重发")
    NOTIFY_RATE_LIMITED = ("N018", "{channel}：发送太频繁，被限流（errcode {errcode}：{errmsg}）", "不是 key 的问题，不用修改设置：等一分钟后再运行，或等下次定时运行时自动重发")
    NOTIFY_DROPPED = ("N019", "{channel}：已连上服务器，但连接在发送途中被断开（{reason}），不确定是否已送达", "稍后重试；如反复出现，检查服务器的限制（邮件大小、发信频率）和网络；下次运行会重发")
    NOTIFY_LOCK_STALE = ("N024", "上一次 handbook notify（进程 {pid}，{started} 开始）没有正常结束，已接管它留下的锁", "它发出的提醒都记在数据库中，不会重发；没有发出的本次补发")
    NOTIFY_LOCK_HUNG = ("N025", "另一个 handbook notify（进程 {pid}，{started} 开始）已运行超过 {minutes} 分钟，视为卡住，本次接管了它的锁", "检查该进程（可用 kill {pid} 结束它）；本次照常发送")

    # ingest: sources refused as a whole (nothing is written then)
    INGEST_SOURCE_EMPTY = ("I001", '来源为空：{source} {what}，而库中有 {stored} 条来自它的检查记录；本次未写入任何内容', '请检查导出文件或表格是否完整；如确实要清空，请加 --accept-deletions', SENTENCE)
    INGEST_MASS_GONE = ("I002", '{source} 本次少了 {gone} 条库中已有的检查记录（共 {stored} 条，超过一半），它们将被标为已删除；本次未写入任何内容', '请检查导出文件或表格是否完整（是否筛选、删除或截断了行）；如确实要删除，请加 --accept-deletions', SENTENCE)
    INGEST_COLUMNS_MISSING = ("I003", '{source} 的表头缺少检查表“{checklist}”{version}的 {n} 个题目列：{columns}；本次未写入任何内容', '请从表格重新导出完整的回复（不要删除列）后再导入', SENTENCE)
    INGEST_WRONG_CHECKLIST = ("I004", '{source} 的表头与{kind}“{checklist}”不符（{problem}）；本次未写入任何内容', '它与检查表“{other}”一致：请改用 --checklist {other}', SENTENCE)
    INGEST_SHEET_MALFORMED = ("I005", 'Google 表格 {sheet} 返回的{what}格式无法识别（{detail}）；本次未写入任何内容', '稍后重试；如仍出现，请检查该表格或网络代理', SENTENCE)
    INGEST_FILE_MISSING = ("I006", '找不到文件 {path}', '检查路径；--file 需要一个 CSV 或 XLSX 导出文件', SENTENCE)
    INGEST_FILE_IS_FOLDER = ("I007", '{path} 是文件夹，不是文件', '--file 需要一个 CSV 或 XLSX 导出文件', SENTENCE)
    INGEST_FILE_UNREADABLE = ("I008", '无法读取 {path}：{reason}', '检查文件权限', SENTENCE)
    INGEST_FILE_ENCODING = ("I009", '{path} 不是 UTF-8 或 GB18030 文本', '从表格重新导出为 CSV（UTF-8）', SENTENCE)
    INGEST_FILE_NOT_CSV = ("I010", '{path} 不是有效的 CSV 文件（{reason}）', '从表格重新导出为 CSV', SENTENCE)
    INGEST_FILE_NOT_XLSX = ("I011", '{path} 不是可读的 XLSX 工作簿（{reason}）', '从表格重新导出为 XLSX 或 CSV', SENTENCE)
    INGEST_FILE_NOT_REGULAR = ("I012", '{path} 不是普通文件（是管道、设备等特殊文件）', '--file 需要一个 CSV 或 XLSX 导出文件', SENTENCE)
    INGEST_FILE_EMPTY = ("I065", '文件是空的：{path} 没有表头也没有任何回复，不是回复表的导出', '重新从回复表导出 CSV 或 XLSX 后再导入；数据库未作改动', SENTENCE)
    INGEST_FORM_COLUMNS_MISSING = ("I013", '{source} 的表头缺少{kind}“{form}”的 {n} 个题目列：{columns}；本次未写入任何内容', '请从表格重新导出完整的回复（不要删除列）后再导入', SENTENCE)
    INGEST_DATE_ORDER_AMBIGUOUS = ("I014", '{path} 中的日期（如“{sample}”）既可读作日/月/年，也可读作月/日/年，无法判断；本次未写入任何内容', '请用 --date-order dmy（日/月/年）、--date-order mdy（月/日/年）或 --date-order ymd（年/月/日）指明该文件的日期顺序', SENTENCE)
    INGEST_DATE_ORDER_MIXED = ("I015", '{path} 中的日期顺序前后不一致：“{dmy}”只能是日/月/年，“{mdy}”只能是月/日/年；本次未写入任何内容', '请从表格重新导出（不要在 Excel 中改动日期格式）；确知顺序时可用 --date-order dmy|mdy|ymd 指明', SENTENCE)
    SOURCE_UNKNOWN = ("I016", '数据库 {path} 中没有编号为 {id} 的来源（现有：{known}）', '运行 handbook sources 查看各来源的编号', SENTENCE)
    SOURCE_ALREADY_WITHDRAWN = ("I017", '来源 {id}（{title}）已于 {at} 撤回', '无需再次撤回；如要重新导入，用 --file 或 --sheet 再导入一次', SENTENCE)
    SOURCE_WITHDRAW_NEEDS_YES = ("I018", '撤回来源需要确认', '在终端中运行并输入 y 确认，或加 --yes')
    SOURCE_WITHDRAW_NOT_CONFIRMED = ("I064", '没有确认，未撤回来源 {id}', '确认要撤回后加 --yes 再运行；数据库 {path} 未作改动')
    # 腾讯问卷 (live, OpenAPI) and the Chinese survey platforms' exports (I2xx)
    TENCENT_NO_CREDENTIALS = ("I201", '没有腾讯问卷 API 凭证：环境变量 {env_id}、{env_secret} 未设置，凭证文件 {file} 也不存在', '在腾讯问卷“团队管理 › 系统对接 › API 凭证”中取得 App ID 和 App Secret，设置这两个环境变量，或写进凭证文件（放在仓库之外，每行一个 名称=值）', SENTENCE)
    TENCENT_CREDENTIALS_UNREADABLE = ("I202", '无法使用腾讯问卷凭证文件 {path}：{reason}', '文件每行写一个 名称=值：{env_id}=… 和 {env_secret}=…；以 # 开头的行是注释', SENTENCE)
    TENCENT_BAD_SECRET = ("I203", '腾讯问卷拒绝了 App ID 或 App Secret（{type}），无法取得访问令牌；本次未写入任何内容', '在“系统对接 › API 凭证”中核对 App ID，必要时重置 App Secret 并更新环境变量或凭证文件', SENTENCE)
    TENCENT_NO_PLAN = ("I204", '腾讯问卷团队的套餐不含 API（invalid_org_subscription）；本次未写入任何内容', '读取答卷的接口是尊享版付费功能：升级到尊享版，或在腾讯问卷中导出 CSV/XLSX 后用 handbook ingest --file … --checklist {checklist} 导入', SENTENCE)
    TENCENT_FORBIDDEN = ("I205", '无权读取腾讯问卷问卷 {survey}（{type}）；本次未写入任何内容', '确认该问卷属于这组 API 凭证所在的团队，且凭证未被停用；或核对锁文件中的 survey_id', SENTENCE)
    TENCENT_BAD_ARGUMENT = ("I206", '腾讯问卷认为读取问卷 {survey} 的请求有误（{type}）；本次未写入任何内容', '锁文件中的 survey_id 应为问卷编号（数字，见问卷链接或问卷设置）；用 handbook forms tencent-link 重新登记', SENTENCE)
    TENCENT_RATE_LIMITED = ("I207", '腾讯问卷一直限流（{type}），{tries} 次重试共 {seconds:g} 秒后仍被拒绝；本次未写入任何内容', '稍后再运行 handbook ingest；不要让多个程序同时取令牌（新令牌会使旧令牌失效）', SENTENCE)
    TENCENT_UNAVAILABLE = ("I208", '腾讯问卷 {what} 一直出错（{problem}），{tries} 次重试共 {seconds:g} 秒；本次未写入任何内容', '检查网络或代理后稍后再运行', SENTENCE)
    TENCENT_ERROR = ("I209", '腾讯问卷拒绝了{what}（{code}：{type}）；本次未写入任何内容', '按错误类型检查凭证、套餐和问卷编号；如仍出现，请把这一行发给维护者', SENTENCE)
    TENCENT_MALFORMED = ("I210", '腾讯问卷返回的{what}格式无法识别（{detail}）；本次未写入任何内容', '稍后重试；如仍出现，请检查 API 地址（环境变量 HANDBOOK_TENCENT_API）或网络代理', SENTENCE)
    TENCENT_NOT_OURS = ("I211", '腾讯问卷问卷 {survey}（“{title}”）不是检查表“{checklist}”的问卷：{problem}；本次未写入任何内容', '核对锁文件中的 survey_id；问卷应按 handbook forms tencent-setup --checklist {checklist} 生成的题目创建', SENTENCE)
    TENCENT_DEFINITION_CHANGED = ("I212", '腾讯问卷问卷 {survey} 的题目与标准不再一致：{problems}；本次未写入任何内容', '按 handbook forms tencent-setup --checklist {checklist} 的题目和选项修改问卷（不要改动题目开头的条目代码和选项文字），再重新导入', SENTENCE)
    TENCENT_TOKEN_REJECTED = ("I213", '腾讯问卷的访问令牌刚刚更新后仍被拒绝（{type}）；本次未写入任何内容', '另有程序在用同一组凭证取令牌（新令牌会使旧令牌失效）：让它停下，或只在一台机器上运行 handbook ingest', SENTENCE)
    TENCENT_NOT_LINKED = ("I214", '锁文件 {path} 中没有检查表“{checklist}”的腾讯问卷问卷', '先运行 handbook forms tencent-link --checklist {checklist} --survey 问卷编号 --url 问卷链接')
    TENCENT_BAD_SURVEY_ID = ("I215", '“{value}”不是腾讯问卷问卷编号', '问卷编号是数字，例如 https://wj.qq.com/s2/12345678/abcd/ 中的 12345678', SENTENCE)
    INGEST_TWIN_COLUMNS = ("I061", '列“{name}”出现 {n} 次（第 {positions} 列，表单上删除后又加回的题目）：每行取有答案的那一列')
    INGEST_NO_WORKSHEET = ("I062", '{path} 中没有名为“{name}”的工作表', '工作簿中的工作表：{sheets}', SENTENCE)
    INGEST_WORKSHEET_NOT_XLSX = ("I063", '--worksheet 只用于 XLSX 工作簿，{path} 不是', '导入 CSV 文件时去掉 --worksheet', SENTENCE)
    # notes of a source's import (the summary's 注意 lines; nothing refused)
    INGEST_WITHDRAWN_READ_AGAIN = ("I066", '此来源曾于 {at} 撤回，本次重新导入')
    TENCENT_ANSWERS_DELETED = ("I216", '腾讯问卷中已删除 {count} 份答卷（答卷编号 {ids}）')
    # ingest: why a row was quarantined (I3xx; `ingest.shell.Rejection`). The text is the reason with the
    # row's own value (field `value`: kept in the store, shown to whoever ran the import); the hint is the
    # reason as the site's pages show it, never the cell's value. Other fields are ours (columns, limits).
    # Its name in the ingest summary (`short`) is the hint, or the fifth element where the hint has fields.
    ROW_UNKNOWN_PROJECT = ("I301", '未知项目“{value}”', '未知项目')
    ROW_UNKNOWN_ROLE = ("I302", '未知角色“{value}”', '未知角色')
    ROW_ROLE_NOT_ON_CHECKLIST = ("I303", '角色“{value}”不使用此检查表', '角色不使用此检查表')
    ROW_BAD_TIME = ("I304", '无法识别的提交时间“{value}”', '提交时间无法识别')
    ROW_BAD_DATE = ("I305", '无法识别的检查日期“{value}”', '检查日期无法识别')
    ROW_MISSING_ANSWER = ("I306", '缺少必填答案：{columns}', '缺少必填答案：{columns}', COLON, '缺少必填答案')
    ROW_UNANSWERED = ("I307", '未答：{columns}', '未答')
    ROW_NOT_AN_OPTION = ("I308", '{value}', '答案不是选项')
    ROW_DUPLICATE = ("I309", '与本次读取的{first}完全相同（重复提交）', '与本次读取的{first}完全相同（重复提交）', COLON, '重复提交')
    ROW_TOO_LONG = ("I310", '单元格过长：{limit}', '单元格过长：{limit}', COLON, '单元格过长')
    ROW_EMAIL_AS_NAME = ("I311", '检查人一栏填写的是电子邮箱', '检查人一栏填写的是电子邮箱', COLON, '检查人填了邮箱')
    ROW_DATE_AFTER_SUBMISSION = ("I312", '检查日期 {value}晚于提交日期超过 1 天：请核对检查日期（年份、月份）后在表格中改正',
                                 '检查日期晚于提交日期')
    ROW_DATE_TOO_OLD = ("I313", '检查日期 {value}早于提交日期超过补录期限：请核对检查日期，确是补录请调整 organisation.yaml 的 late_entry_days',
                        '检查日期早于补录期限')
    ROW_BAD_FILLED = ("I314", '无法使用的填写日期“{value}”', '无法使用的填写日期')
    ROW_DUPLICATE_ROW = ("I315", '与本次读取的另一行完全相同（重复提交）', '与本次读取的另一行完全相同（重复提交）', COLON, '重复提交')
    ROW_COMMENT_TOO_LONG = ("I316", '意见过长：{limit}', '意见过长：{limit}', COLON, '单元格过长')
    ROW_UNKNOWN_ITEM = ("I317", '未知检查条目“{value}”', '未知检查条目')
    ROW_BAD_DAY = ("I318", '无法识别的日期“{value}”', '检查日期无法识别')
    ROW_FIXED_BEFORE_FOUND = ("I319", '整改完成日期早于发现日期：{value}', '整改完成日期早于发现日期')
    ROW_FIXED_AFTER_SUBMITTED = ("I320", '整改完成日期晚于提交日期：{value}', '整改完成日期晚于提交日期')
    ROW_TEXT_TOO_LONG = ("I321", '内容过长：{limit}', '内容过长：{limit}', COLON, '单元格过长')
    # no longer raised (text is data: notes are stored as typed); kept so the quarantine entries older runs
    # stored under these codes show their reason
    ROW_FORMULA = ("I322", '疑似公式注入', '疑似公式注入')
    ROW_MARKUP = ("I323", '含 HTML 或脚本', '含 HTML 或脚本')

    # the SQLite store (one line each: the CLI prints "错误：message：hint。")
    STORE_NAMED_MISSING = ("D001", '找不到 {option} 指定的数据库 {path}', '检查路径是否写错；只有默认数据库 {default} 可以还不存在（结果页会显示暂无检查数据）')
    STORE_NOT_SQLITE = ("D002", '{path} 不是 handbook 数据库（不是 SQLite 文件）', '检查 --store 是否写错；该文件未作任何改动')
    STORE_FOREIGN = ("D003", '{path} 不是 handbook 数据库（其中是其他程序的表：{tables}）', '检查 --store 是否写错；该文件未作任何改动')
    STORE_EMPTY = ("D004", '{path} 是空数据库，还没有导入过数据', '先运行 handbook ingest --store {path}')
    STORE_NEWER = ("D005", '{path} 由更新版本的 handbook 写入（数据库版本 {version}，本程序只支持到 {supported}）', '升级 handbook 后再运行')
    STORE_LOCKED = ("D006", '数据库 {path} 被其他程序占用（已锁定）', '等其他程序（例如另一个 handbook ingest）结束后稍后再试；数据库未作改动')
    STORE_READONLY = ("D007", '数据库 {path} 是只读的，无法写入', '检查该文件及其所在文件夹的写权限，或用 --store 指定可写的位置；数据库未作改动')
    STORE_FULL = ("D008", '磁盘已满，无法写入数据库 {path}', '腾出磁盘空间后重试；数据库保持原样')
    STORE_WRITE_FAILED = ("D009", '无法写入数据库 {path}（磁盘已满、超出磁盘配额或文件大小限制）', '腾出磁盘空间或放宽限制后重试；数据库保持原样')
    STORE_IO = ("D010", '读写数据库 {path} 时发生磁盘错误', '检查磁盘后重试；数据库保持原样')
    STORE_CANNOT_OPEN = ("D011", '无法打开数据库 {path}', '检查路径是否存在、是否有读写权限')
    STORE_DAMAGED = ("D012", '数据库 {path} 已损坏', '从备份恢复该文件，或改用新的 --store 重新导入')
    STORE_CHECK_FAILED = ("D013", '数据库 {path} 已损坏（SQLite 完整性检查：{problems}）', '运行 {restore} 用最近的备份恢复（handbook backup 的备份在 {backups}），或改用新的 --store 重新导入；该文件未作任何改动')
    BACKUP_DONE = ("D014", '已备份数据库 {path} → {copy}（{size}，{inspections} 次检查，完整性检查通过）')
    BACKUP_KEPT = ("D015", '{folder} 保留最近 {keep} 份备份{removed}')
    BACKUP_NONE = ("D016", '{folder} 里没有数据库 {path} 的备份', '先运行 handbook backup；或指定备份文件：handbook restore 备份文件')
    RESTORE_COPY_UNUSABLE = ("D017", '不能用 {copy} 恢复：{reason}', '换一份备份（handbook restore 备份文件，备份在 {folder}）；数据库 {path} 未作改动')
    RESTORE_CONFIRM = ("D018", '用备份 {copy}（{when}，{inspections} 次检查）替换数据库 {path}？当前数据库会先另存为 {kept}')
    RESTORE_NOT_CONFIRMED = ("D019", '没有确认，未恢复', '确认要替换后加 --yes 再运行；数据库 {path} 未作改动')
    RESTORE_DONE = ("D020", '已用 {copy} 恢复数据库 {path}（{inspections} 次检查，完整性检查通过）{kept}')
    BACKUP_COPY_FAILED = ("D021", '备份 {path} 时出错：{reason}', '检查 {folder} 的写权限和磁盘空间后重试；数据库未作改动，已有的备份也未删除')

    # the site: build, serve, PDFs
    MKDOCS_CONFIG_MISSING = ("B001", "找不到 MkDocs 配置文件 {path}：请在仓库根目录运行，或用 --config 指定")
    MKDOCS_FAILED = ("B002", "mkdocs build 失败：{reason}")
    PDF_FAILED = ("B003", "无法生成 PDF {name}：{reason}")
    SERVE_CANNOT_START = ("B004", "无法在 {host}:{port} 上启动服务：{reason}")
    SERVE_NO_SITE = ("B005", "首次构建失败，没有可提供的网站；修正上面的问题后重试。")
    SERVE_REBUILT_PAGES = ("B009", "已构建（{seconds} 秒；只有页面改动，只重新渲染了 {pages}，其他页面、标准和检查结果未重新计算）")
    SERVE_REBUILT_ENGINE = ("B010", "已构建（{seconds} 秒；只有页面改动，标准和检查结果未重新计算；整站页面重新渲染：{reason}）")
    ENGINE_FAILED = ("B006", "{engine} build 失败：{reason}")
    ENGINE_UNKNOWN = ("B007", "未知的网站引擎“{name}”（{source}）", "可选：{choices}（默认 mkdocs）")
    ENGINE_MISSING = ("B008", "选择了 zensical 引擎（{source}），但没有安装 zensical",
                      "运行 .venv/bin/pip install -e '.[zensical]' 安装，或不设 {source}，改用默认的 mkdocs")
    OUT_PROTECTED = ("B030", "输出文件夹 {out} {relation}{what} {path}：构建会整个替换输出文件夹，不能用在这里",
                     "换一个专用的输出文件夹，例如 --out public；什么也没有删除")
    OUT_NOT_FOLDER = ("B031", "输出位置 {out} 是一个文件，不是文件夹", "换一个文件夹，例如 --out public；该文件未作改动")
    OUT_NOT_OURS = ("B032", "输出文件夹 {out} 里已有别的文件，且不是 handbook build 生成的（没有标记文件 {marker}）",
                    "构建会整个替换输出文件夹，请换一个新的或空的文件夹（例如 --out public）；什么也没有删除")
    BUILD_WAITING = ("B033", "另一个 handbook build 或 serve 正在使用 {lock}，等它构建完成后再开始……")
    SOURCE_LINK_OUTSIDE = ("B034", "{path} 是指向网站源文件夹以外的链接（{target}），构建不会发布它",
                           "删除该链接，或把要发布的文件复制进 {docs}；本次没有发布任何内容")
    SOURCE_CREDENTIAL = ("B035", "{path} 看起来是凭据或密钥（{why}），构建不会发布它",
                         "把它移出 {docs}（凭据应放在仓库以外）；本次没有发布任何内容")
    STORE_PROJECT_UNKNOWN = ("B036", "数据库 {store} 中有项目“{project}”的 {n} 条检查记录，但 {file} 里已没有这个项目",
                             "项目不再管理时不要删除它，保留这一项并写 active: false（可加撤场日期 until: YYYY-MM-DD；历史结果照常发布）；"
                             "只是改名时请保持 id: {project} 不变，只改 name")

    # standards changes: what an edit of the standards would re-score (handbook check with a store)
    RULES_MOVE = ("S401", "本次修改将改变 {count} 次已评分检查的得分（{first} 至 {last}），涉及项目 {projects}{closed}",
                  "只应从某日起生效的修改：在 procedure.yaml 的 document.changes 最前面加一条修订记录（新的 version、"
                  "date 和 effective 生效日期），并把 document.version 改为该版本；生效日期之前的检查仍按原标准评分")
    RULES_UNDATED = ("S402", "标准版本 {version} 的评分规则（分值、扣分、红线、整改期限或评级）与数据库中记录的不同，"
                             "但没有新的修订记录：这些修改会把该版本下的全部检查重新评分",
                     "在 document.changes 最前面加一条修订记录（新的 version 和 effective 生效日期），并把 document.version 改为它")
    RULES_ITEM_REMOVED = ("S403", "条目 {code}（{short}）已从标准中删除：数据库中有 {count} 次检查答过它，{fate}", None)
    RULES_ASSESSMENT_MOVES = ("S404", "{project} {quarter}考核：{old} → {new}", None)
    RULES_NOT_RECORDED = ("S405", "数据库 {store} 没有记录评分所用的标准版本：全部检查按当前标准 {version} 评分"
                                  "（下次 handbook ingest 起记录，此后修改标准不再改变已评分检查的得分）", None)
    RULES_UNCHANGED = ("S406", "数据库 {store}：本次修改不改变已评分的 {count} 次检查的得分。", None)
    RULES_DATED_MOVES = ("S407", "修订 {version} 自 {effective} 起生效：此后的 {count} 次检查改按新标准评分", None)

    # corrective actions: why a fix report cannot be attached to an action (shown as the text alone, `Msg.X(...)`)
    REPORT_NO_ACTION = ("A001", "没有这项整改：该项目 {found} 没有发现 {code} 的问题")
    REPORT_ACTION_CLOSED = ("A002", "这项整改已关闭（{how}，{closed}），不需要再反馈")
    REPORT_ALREADY_REPORTED = ("A003", "这项整改已有 {reported} 的整改反馈")
    REPORT_FIXED_BEFORE_FOUND = ("A004", "整改日期 {fixed} 早于发现日期 {found}")


def render(message_id: str, **fields) -> tuple[str, str | None]:
    """The (message, hint) of a catalogue entry named by its lower-case id (e.g. "file_missing"): the
    standards' diagnostics keep the id (`Diagnostic.message_id`)."""
    return Msg[message_id.upper()].render(**fields)


def one_line(message_id: str, **fields) -> str:
    """The line `HandbookError(Msg.X, **fields)` shows, for the entry named by its lower-case id (tests
    compare a command's output with it); code names the member: `Msg.X.line(**fields)`."""
    message = Msg[message_id.upper()]
    return message.line(**fields) if message.hint else f"{message(**fields)}。"

