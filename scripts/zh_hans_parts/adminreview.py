# ruff: noqa: E501 - one translation per line reads best
"""Review of the 三员 administrators: the refusals added by the review (separation of duties, break-glass)."""

ZH = {
    "An administrator's or a superuser's account is not reset or deactivated here: see break-glass.": "管理员（三员）或超级用户的账号不能在此重置密码或停用：请按应急访问流程办理。",
    "An administrator (三员) account is never made a superuser: use the person's separate, named break-glass account.": "管理员（三员）账号不能成为超级用户：请使用该人员另设的实名应急账号。",
    "This is an administrator's or a superuser's account: its password is not reset and it is not deactivated here, so that no administrator can take over or silence another. The server operator does it through break-glass (two people).": "这是管理员（三员）或超级用户的账号：不能在此重置密码或停用，以免一名管理员接管或架空另一名管理员。如确需办理，由服务器运维人员按应急访问流程（双人）执行。",
}
