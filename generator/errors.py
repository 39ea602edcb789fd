"""Error types and the catalogue of user-facing messages.

Messages about the standards are Simplified Chinese (the department reads them);
tests import this catalogue so a reworded message changes in one place.
"""

from __future__ import annotations


class HandbookError(Exception):
    """A failure the user can fix; the CLI shows it as `Error: …` and exits 1."""


class StandardsInvalid(HandbookError):
    """The standards have errors; `diagnostics` holds every one of them."""

    def __init__(self, diagnostics):
        self.diagnostics = list(diagnostics)
        n = sum(1 for d in self.diagnostics if d.severity == "error")
        super().__init__(f"标准文件有 {n} 个错误，请先修正（运行 handbook check 查看）。")


# id -> (message template, hint template or None). Placeholders are str.format fields.
MESSAGES: dict[str, tuple[str, str | None]] = {
    # files and syntax
    "file_missing": ("缺少标准文件 {name}", "在 {folder} 下创建 {name}，可参照随项目提供的示例"),
    "file_unreadable": ("无法读取文件：{reason}", "检查文件权限和编码（应为 UTF-8）"),
    "file_unknown": ("未知的标准文件 {name}，已忽略", "标准文件只能是：{known}"),
    "yaml_syntax": ("YAML 语法错误：{problem}", "检查该位置及上一行的缩进、冒号、括号和引号"),
    "yaml_duplicate_key": ("重复的键“{key}”（第 {first} 行已出现）", "删除或合并其中一个"),
    "yaml_too_deep": ("YAML 嵌套过深或别名过多", "检查锚点（&）与别名（*）是否循环引用"),
    "yaml_not_mapping": ("文件顶层应为键值映射（key: value）", "参照示例文件的结构"),
    "yaml_empty": ("文件为空", "参照示例文件填写内容"),
    # structure (from the schema)
    "unknown_key": ("未知字段“{key}”", "{suggestion}"),
    "missing_key": ("缺少必填字段“{key}”", "在此处添加 {key}: …"),
    "wrong_type": ("“{key}”的类型错误：应为{expected}，实际为{actual}", "{type_hint}"),
    "bad_choice": ("“{key}”的值“{value}”无效", "可选值：{choices}"),
    "too_small": ("“{key}”必须大于 {limit}（当前为 {value}）", "改为大于 {limit} 的数"),
    "too_small_eq": ("“{key}”不能小于 {limit}（当前为 {value}）", "改为不小于 {limit} 的数"),
    "too_large": ("“{key}”不能大于 {limit}（当前为 {value}）", "改为不大于 {limit} 的数"),
    "empty_list": ("“{key}”不能为空", "至少填写一项"),
    "bad_format": ("“{key}”的格式不对：“{value}”", "{format_hint}"),
    "invalid": ("“{key}”无效：{reason}", None),
    # meaning (cross-checks)
    "duplicate": ("重复的{what}“{value}”（第 {first} 行已定义）", "{what}必须唯一，请改名或删除其一"),
    "unknown_ref": ("未知的{what}“{value}”", "{suggestion}"),
    "code_outside_clause": ("条目代码“{code}”不在所属条款 {number} 之下", "代码应以 {number} 开头，例如 {number}-a"),
    "deduction_gt_points": ("每处扣分 {deduction} 大于分值 {points}", "每处扣分不能超过该条目的分值"),
    "bands_start": ("评级区间应从 0 开始（最低一档的 min 为 {value}）", "把最低一档的 min 改为 0"),
    "bands_end": ("评级区间应到 100 为止（最高一档的 max 为 {value}）", "把最高一档的 max 改为 100"),
    "bands_gap": ("评级区间有空档：{lower} 的 max 为 {a}，{upper} 的 min 为 {b}", "让相邻两档首尾相接（下一档的 min 等于上一档的 max）"),
    "bands_overlap": ("评级区间重叠：{lower} 的 max 为 {a}，{upper} 的 min 为 {b}", "让相邻两档首尾相接（下一档的 min 等于上一档的 max）"),
    "band_empty": ("评级“{name}”的 min {min} 不小于 max {max}", "min 必须小于 max"),
    "checklist_empty": ("检查表“{id}”没有任何条目", "检查 include、exclude 与 methods 的组合"),
    "bad_timezone": ("未知时区“{value}”", "使用 IANA 时区名，例如 Asia/Shanghai"),
    "not_inspector": ("角色“{role}”在检查表“{id}”中，但未设 inspects: true", "在 organisation.yaml 中为该角色加 inspects: true"),
    "role_not_on_checklist": ("条目“{code}”的检查人有角色“{role_name}”（{role}），但没有哪张检查表让该角色检查此条目",
                              "在 checklists.yaml 中给包含此条目的检查表（{checklists}）的 roles 加上 {role}，"
                              "或从此条目的 roles 中删去 {role}"),
    "item_unused": ("条目“{code}”不在任何检查表中", "在 checklists.yaml 的某张表 include 它，或确认它只用于其他检查方式"),
    "clause_empty": ("条款 {number} 没有标题、正文、条目或下级条款", "补充内容或删除此条"),
    # ingest: sources refused as a whole (nothing is written then)
    "ingest_source_empty": ("来源为空：{source} 只有表头、没有任何回复，而库中有 {stored} 条来自它的检查记录；"
                            "本次未写入任何内容", "请检查导出文件或表格是否完整；如确实要清空，请加 --accept-deletions"),
    "ingest_mass_gone": ("{source} 本次少了 {gone} 条库中已有的检查记录（共 {stored} 条，超过一半），它们将被标为"
                         "已删除；本次未写入任何内容",
                         "请检查导出文件或表格是否完整（是否筛选、删除或截断了行）；如确实要删除，请加 --accept-deletions"),
    "ingest_columns_missing": ("{source} 的表头缺少检查表“{checklist}”{version}的 {n} 个题目列：{columns}；"
                               "本次未写入任何内容", "请从表格重新导出完整的回复（不要删除列）后再导入"),
    "ingest_wrong_checklist": ("{source} 的表头与{kind}“{checklist}”不符（{problem}）；本次未写入任何内容",
                               "它与检查表“{other}”一致：请改用 --checklist {other}"),
    "ingest_sheet_malformed": ("Google 表格 {sheet} 返回的{what}格式无法识别（{detail}）；本次未写入任何内容",
                               "稍后重试；如仍出现，请检查该表格或网络代理"),
    "ingest_file_missing": ("找不到文件 {path}", "检查路径；--file 需要一个 CSV 或 XLSX 导出文件"),
    "ingest_file_is_folder": ("{path} 是文件夹，不是文件", "--file 需要一个 CSV 或 XLSX 导出文件"),
    "ingest_file_unreadable": ("无法读取 {path}：{reason}", "检查文件权限"),
    "ingest_file_encoding": ("{path} 不是 UTF-8 或 GB18030 文本", "从表格重新导出为 CSV（UTF-8）"),
    "ingest_file_not_csv": ("{path} 不是有效的 CSV 文件（{reason}）", "从表格重新导出为 CSV"),
    "ingest_file_not_xlsx": ("{path} 不是可读的 XLSX 工作簿（{reason}）", "从表格重新导出为 XLSX 或 CSV"),
    # the SQLite store (one line each: the CLI prints "Error: message：hint。")
    "store_missing": ("找不到数据库 {path}", "先运行 handbook ingest，或用 --store 指定已有的数据库"),
    "store_named_missing": ("找不到 {option} 指定的数据库 {path}",
                            "检查路径是否写错；只有默认数据库 {default} 可以还不存在（结果页会显示暂无检查数据）"),
    "store_not_sqlite": ("{path} 不是 handbook 数据库（不是 SQLite 文件）",
                         "检查 --store 是否写错；该文件未作任何改动"),
    "store_foreign": ("{path} 不是 handbook 数据库（其中是其他程序的表：{tables}）",
                      "检查 --store 是否写错；该文件未作任何改动"),
    "store_empty": ("{path} 是空数据库，还没有导入过数据", "先运行 handbook ingest --store {path}"),
    "store_newer": ("{path} 由更新版本的 handbook 写入（数据库版本 {version}，本程序只支持到 {supported}）",
                    "升级 handbook 后再运行"),
    "store_locked": ("数据库 {path} 被其他程序占用（已锁定）",
                     "等其他程序（例如另一个 handbook ingest）结束后稍后再试；数据库未作改动"),
    "store_readonly": ("数据库 {path} 是只读的，无法写入",
                       "检查该文件及其所在文件夹的写权限，或用 --store 指定可写的位置；数据库未作改动"),
    "store_full": ("磁盘已满，无法写入数据库 {path}", "腾出磁盘空间后重试；数据库保持原样"),
    "store_write_failed": ("无法写入数据库 {path}（磁盘已满、超出磁盘配额或文件大小限制）",
                           "腾出磁盘空间或放宽限制后重试；数据库保持原样"),
    "store_io": ("读写数据库 {path} 时发生磁盘错误", "检查磁盘后重试；数据库保持原样"),
    "store_cannot_open": ("无法打开数据库 {path}", "检查路径是否存在、是否有读写权限"),
    "store_damaged": ("数据库 {path} 已损坏", "从备份恢复该文件，或改用新的 --store 重新导入"),
}


def render(message_id: str, **fields) -> tuple[str, str | None]:
    """Return the (message, hint) of a catalogue entry filled with `fields`."""
    message, hint = MESSAGES[message_id]
    return message.format(**fields), hint.format(**fields) if hint else None


def error(message_id: str, **fields) -> HandbookError:
    """A `HandbookError` with a catalogue entry as one line: the message, then the hint."""
    message, hint = render(message_id, **fields)
    return HandbookError(f"{message}。{hint}。" if hint else f"{message}。")
def one_line(message_id: str, **fields) -> str:
    """A catalogue entry as one line for the CLI: `message：hint。`"""
    message, hint = render(message_id, **fields)
    return f"{message}：{hint}。" if hint else f"{message}。"
