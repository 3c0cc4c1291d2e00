# ruff: noqa: E501 - one translation per line reads best
"""Sign-in lockout and throttles, rate limits, password policy, forced change, API tokens (shian.accounts, core auth)."""

ZH = {
    "Account security": "账号安全",
    "Logged out": "已退出登录",
    # lockout, throttles, rate limits
    "Too many failed sign-in attempts from your network address: try again in %(s)d seconds.": "您所在网络地址的登录失败次数过多，请 %(s)d 秒后再试。",
    "Too many requests: wait %(s)d seconds and try again.": "请求过于频繁，请等待 %(s)d 秒后再试。",
    "Too many requests": "请求过于频繁",
    "Your session ended after %(h)g hours: log in again.": "您的会话已满 %(h)g 小时，已自动结束，请重新登录。",
    # API tokens
    "You already have %(n)d active API tokens, the most allowed: revoke one on your account page first.": "您已有 %(n)d 个有效的 API 令牌，已达上限：请先在“我的账号”页面吊销一个。",
    "The password is wrong: no token was created.": "密码错误，未创建令牌。",
    "No token is issued until then.": "修改密码之前不会签发令牌。",
    "Your password": "您的密码",
    "A token acts as you in the API until it expires or you revoke it. Creating one asks for your password again; you may hold at most %(n)s. Changing your password revokes them all; logging out does not.": "令牌在到期或被吊销之前，可在 API 中代表您本人操作。创建令牌需再次输入密码；每个账号最多持有 %(n)s 个。修改密码会吊销全部令牌，退出登录不会。",
    # forced password change
    "Initial password set by an administrator": "管理员设置的初始密码",
    "Password reset by an administrator": "管理员重置的密码",
    "A common password (on the deny-list)": "常用密码（在禁用列表中）",
    "The published demo password": "公开的演示密码",
    "Password older than the policy allows": "密码已超过策略允许的使用期限",
    "password changed": "密码修改时间",
    "must change": "须修改",
    "Your password was set by an administrator: choose your own before you continue.": "您的密码由管理员设置，请先设置您自己的密码再继续。",
    "Your password was reset by an administrator: choose a new one before you continue.": "您的密码已被管理员重置，请先设置新密码再继续。",
    "Your password is on the list of common passwords: choose another before you continue.": "您的密码属于常用密码，请先更换密码再继续。",
    "This account still has the published demo password: choose another before you continue.": "此账号仍在使用公开的演示密码，请先更换密码再继续。",
    "Your password is older than %(days)d days, as the password policy allows: choose a new one.": "您的密码已使用超过密码策略允许的 %(days)d 天，请设置新密码。",
    "Choose a new password before you continue.": "请先设置新密码再继续。",
    "Change your password first (on the password page) before using the API.": "请先在修改密码页面修改密码，然后再使用 API。",
    # password page and rules
    "Change password": "修改密码",
    "Current password": "当前密码",
    "New password": "新密码",
    "New password again": "再次输入新密码",
    "The two new passwords differ.": "两次输入的新密码不一致。",
    "The new password must differ from the current one.": "新密码不能与当前密码相同。",
    "Your password has been changed.": "密码已修改。",
    "This password is on the list of common passwords: choose another.": "该密码属于常用密码，请另选一个。",
    "Your password can't be a commonly used password.": "密码不能是常用密码。",
    "Your password must use at least %(n)d of these: lower-case letters, upper-case letters, digits, other characters.": "密码须至少包含以下 %(n)d 类字符：小写字母、大写字母、数字、其他字符。",
}

PLURALS = {
    "Your password can't be your current one or the last one you used.": "密码不能与当前密码或最近 %(n)d 次使用过的密码相同。",
}
