"""`handbook fixreport form|push`: thin adapters, added by `FixReports.register_commands`."""

from __future__ import annotations

import click

from ...cli.forms import instrument_form_commands
from ...cli.options import HandbookGroup


def register_commands(cli: click.Group, instrument) -> None:
    """Add `handbook fixreport …` to `cli`."""

    @cli.group("fixreport", cls=HandbookGroup)
    def fixreport():
        """整改反馈：表单定义、发布表单（项目报告整改完成，客户关系部据此计算整改及时率）。"""

    for command in instrument_form_commands(instrument):
        fixreport.add_command(command)
