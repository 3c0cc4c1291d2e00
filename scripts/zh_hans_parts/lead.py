# ruff: noqa: E501 - one translation per line reads best
"""Strings the lead adds while helpers own the other part files (issue 8 leftovers, issue 9 glue)."""

ZH = {
    "A note may be at most %(n)d characters (this one has %(m)d).": "说明最多 %(n)d 个字符（此处为 %(m)d 个）。",
}

ZH.update(
    {
        # what the system writes into the audit log (core.audit.SYSTEM_WORDS)
        "the system": "系统",
        "command line": "命令行",
        "unknown address": "未知地址",
        "demo city generator": "演示城市生成器",
        "background job %(id)s": "后台任务 %(id)s",
    }
)

ZH.update({"Applies when": "适用条件"})

ZH.update({"dynamic points capped at %(n)s": "动态分按上限 %(n)s 分计"})

ZH.update({"Map": "地图"})

# issue 10 glue: the account page's two-step card, the API token's second factor
ZH.update(
    {
        "After your password, a code from an authenticator app on your phone: a stolen password alone no longer opens your account.": "输入密码后，再输入手机身份验证器应用中的动态码：仅凭被盗的密码无法登录您的账号。",
        "Two-step login settings": "两步登录设置",
        "Authenticators in your area": "辖区账号的身份验证器",
        "Your role must use two-step login: enrol an authenticator on the web page first.": "您的角色必须使用两步登录：请先在网页上绑定身份验证器。",
        'This account uses two-step login: send the authenticator code as "code".': "该账号已启用两步登录：请在“code”字段中提交身份验证器动态码。",
        "Wrong or expired authenticator code.": "身份验证器动态码错误或已过期。",
    }
)

ZH.update(
    {
        # audit actions of `shian backup` / `shian restore`; a planned visit's done day; licence date windows
        "Backed up": "已备份",
        "Restored": "已恢复",
        "done on": "完成日期",
        "%(d)s is too early: food hygiene licences began on %(e)s.": "%(d)s 过早：食品卫生许可始于 %(e)s。",
        "%(d)s is too late: a licence is valid for %(n)d years, so no licence held today ends after %(l)s.": "%(d)s 过晚：许可证有效期为 %(n)d 年，现持有的许可证不会晚于 %(l)s 到期。",
    }
)

ZH.update(
    {
        "The system administrator who created this account saw its one-time password, which stays valid until the holder changes it at the first sign-in. An administrator role, or more rights than were requested, would let them sign in with those rights first: if in doubt, authorise what was requested and raise it after the holder has changed the password.": "创建此账号的系统管理员看到过其一次性密码，该密码在持有人首次登录修改前一直有效。若授予管理员角色或超出申请的权限，系统管理员可能抢先以这些权限登录：如有疑虑，请先按申请授权，待持有人修改密码后再提升权限。",
    }
)
