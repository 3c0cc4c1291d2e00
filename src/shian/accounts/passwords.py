"""Password policy presets and the deny-list.

``SHIAN_PASSWORD_POLICY`` chooses one preset per deployment (``PASSWORD_POLICIES`` in settings.py, which
builds the validators from it):

- ``dengbao`` (等保2.0 level 3, GB/T 22239-2019 §8.1.4.1 a: complexity and periodic change): at least
  8 characters with 3 of the 4 classes (lower case, upper case, digits, others), changed every 90 days,
  not one of the last 5.
- ``asvs`` (OWASP ASVS 5.0 level 2, V6.2): at least 12 characters, not on the common/breached list, no
  composition rules, no forced rotation.

Both refuse the deny-list: Django's list of 20,000 common passwords (``CommonPasswordValidator``: Royce
Williams' list drawn from breach corpora, shipped with Django) plus ``data/common_passwords_zh.txt``
(passwords Chinese users favour, from published analyses of Chinese leaks; its header cites them) and
the published demo password.
"""

from __future__ import annotations

import functools
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator

ZH_LIST = Path(__file__).parent / "data" / "common_passwords_zh.txt"


def _read_zh() -> set[str]:
    words = set()
    for line in ZH_LIST.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return words


@functools.cache
def deny_list() -> frozenset[str]:
    """Every deny-listed password, lower-cased (the comparison ignores case, as Django's does)."""
    django_words = CommonPasswordValidator().passwords  # lower-cased already
    from shian.core.demo_city import DEMO_PASSWORD

    return frozenset(django_words | _read_zh() | {DEMO_PASSWORD.lower()})


def is_denied(password: str) -> bool:
    return password.strip().lower() in deny_list()


def is_demo_password(password: str) -> bool:
    from shian.core.demo_city import DEMO_PASSWORD

    return password == DEMO_PASSWORD


def character_classes(password: str) -> int:
    """How many of the four classes the password uses: lower case, upper case, digits, others (symbols,
    spaces, Chinese characters)."""
    lower = any(c.islower() for c in password)
    upper = any(c.isupper() for c in password)
    digit = any(c.isdigit() for c in password)
    other = any(not (c.islower() or c.isupper() or c.isdigit()) for c in password)
    return lower + upper + digit + other
