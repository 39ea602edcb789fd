"""Click's own words (Usage:, Options, "Missing option" …) in Simplified Chinese.

Click marks its texts for gettext (`from gettext import gettext as _` in each module) but a
.mo catalogue would only be used under a Chinese locale. The department reads Chinese
whatever the machine's locale, so `install()` points those modules' `_` and `ngettext`
at the table below. A text not in the table stays as Click wrote it.
"""

from __future__ import annotations

import importlib
import re
import unicodedata

CLICK_MODULES = ("click.core", "click.exceptions", "click.decorators", "click.formatting", "click.parser",
                 "click.types", "click.termui", "click.utils")

TEXTS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "deprecated": "已弃用",
    "Aborted!": "已中止。",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行 {command} {option} 查看用法。",
    "Missing command.": "缺少子命令。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "No such option {name!r}.": "没有选项 {name}。",
    "No such command {name!r}.": "没有命令 {name}。",
    "Invalid value: {message}": "值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename}：{message}",
    "unknown error": "未知错误",
    "Option {name!r} does not take a value.": "选项 {name} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Value must be an iterable.": "值必须是列表。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "Choice({choices})": "可选值（{choices}）",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否值，可用：{states}",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{name} {filename!r} does not exist.": "{name} {filename} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename} 不可写。",
    "{name} {filename!r} is not executable.": "{name} {filename} 不可执行。",
    "Do you want to continue?": "是否继续？",
    "Error: invalid input": "错误：输入无效",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Repeat for confirmation": "再输入一次以确认",
    "Press any key to continue...": "按任意键继续……",
}

# ngettext(singular, plural, n): both forms read the same in Chinese.
PLURALS: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Did you mean {possibility}?": "是不是要用 {possibility}？",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "Option {name!r} requires an argument.": "选项 {name} 需要一个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，给了 {len_value} 个。",
}
PLURAL_FORMS: dict[str, str] = {
    "(Did you mean one of: {possibilities}?)": "（是不是要用其中之一：{possibilities}？）",
    "{value!r} is not one of {choices}.": "“{value}”不是可选值之一：{choices}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats}。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 需要 {nargs} 个值。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
}
# Words Click puts in usage lines and as metavars (`--n INTEGER`), not marked for translation.
USAGE_PIECES = {"[OPTIONS]": "[选项]", "COMMAND [ARGS]...": "命令 [参数]...", "[COMMAND] [ARGS]...": "[命令] [参数]..."}
TYPE_NAMES = {"StringParamType": "文本", "IntParamType": "整数", "FloatParamType": "数字",
              "IntRange": "整数", "FloatRange": "数字", "BoolParamType": "是否", "UnprocessedParamType": "文本"}


_ANSI = re.compile(r"\033\[[;?0-9]*[a-zA-Z]")


def display_width(text: str) -> int:
    """Columns `text` takes on a terminal: a Chinese character takes two (Click counts one)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in _ANSI.sub("", text))


def _truncate_visible(text: str, n: int) -> str:
    """The longest prefix of `text` at most `n` columns wide (at least one character)."""
    width = 0
    for i, c in enumerate(text):
        width += 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if width > n:
            return text[:max(i, 1)]
    return text


def gettext(message: str) -> str:
    """Click's text in Chinese (or as it is when the table has none)."""
    return TEXTS.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Click's singular/plural text in Chinese."""
    if n == 1:
        return PLURALS.get(singular, singular)
    return PLURAL_FORMS.get(plural, PLURALS.get(singular, plural))


def install() -> None:
    """Point click's translation functions at the Chinese table (idempotent)."""
    for name in CLICK_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    for name in ("click._compat", "click._textwrap", "click.formatting"):   # help columns and wrapping
        module = importlib.import_module(name)
        module.term_len = display_width
        if hasattr(module, "_truncate_visible"):
            module._truncate_visible = _truncate_visible
    types = importlib.import_module("click.types")
    for cls_name, name in TYPE_NAMES.items():
        getattr(types, cls_name).name = name
    core = importlib.import_module("click.core")
    for cls in (core.Command, core.Group):
        if "collect_usage_pieces" in vars(cls) and not getattr(cls.collect_usage_pieces, "translated", False):
            cls.collect_usage_pieces = _translated_usage(cls.collect_usage_pieces)


def _translated_usage(collect):
    def collect_usage_pieces(self, ctx):
        return [USAGE_PIECES.get(piece, piece) for piece in collect(self, ctx)]

    collect_usage_pieces.translated = True
    return collect_usage_pieces
