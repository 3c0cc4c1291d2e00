"""`shian rotate_field_keys`: re-encrypt every encrypted column with the current key (and provider), and
recompute every keyed hash with the current hash key.

Rotation (docs/security.md, "Personal data"):
1. ``shian rotate_field_keys --new-key`` prints a new random key.
2. Put it first in ``SHIAN_FIELD_KEYS`` (``new:…,old:…``), keep the old ones, restart: new values are
   written under the new key, old ones still read.
3. ``shian rotate_field_keys``: every value not under the new key is re-encrypted, in chunks, each in its
   own transaction (safe to interrupt and run again). ``--check`` only counts what is left to do.
4. When it reports nothing left, remove the old key from ``SHIAN_FIELD_KEYS``.

A new ``SHIAN_FIELD_HASH_KEY`` takes effect at once for new lookups; run this command right after changing
it (exact searches miss rows whose hash is not recomputed yet). Moving to another provider (SM4) is a
rotation too: set ``SHIAN_FIELD_CRYPTO_PROVIDER`` and keep the old format readable in
``SHIAN_FIELD_CRYPTO_READERS`` until this command has run.
"""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from shian.core import crypto
from shian.core.fields import EncryptedTextField, KeyedHashField

CHUNK = 1000


def _columns(model):
    encrypted = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    hashes = {f.source: f for f in model._meta.concrete_fields if isinstance(f, KeyedHashField)}
    return encrypted, hashes


def rotate(*, check: bool = False, stdout=None) -> dict[str, int]:
    """{"app.model.field": rows re-encrypted or rehashed (or, with ``check``, still to do)}."""
    done: dict[str, int] = {}
    qn = connection.ops.quote_name
    for model in apps.get_models():
        encrypted, hashes = _columns(model)
        if not encrypted:
            continue
        table, pk = model._meta.db_table, model._meta.pk.column
        for field in encrypted:
            hash_field = hashes.get(field.name)
            cols = f"{qn(pk)}, {qn(field.column)}" + (f", {qn(hash_field.column)}" if hash_field else "")
            label = f"{model._meta.label_lower}.{field.name}"
            count, last = 0, None
            while True:
                where = f"{qn(field.column)} <> ''" + (f" AND {qn(pk)} > %s" if last is not None else "")
                sql = f"SELECT {cols} FROM {qn(table)} WHERE {where} ORDER BY {qn(pk)} LIMIT {CHUNK}"  # noqa: S608
                with connection.cursor() as cursor:
                    cursor.execute(sql, [last] if last is not None else [])
                    rows = cursor.fetchall()
                if not rows:
                    break
                last = rows[-1][0]
                updates = []
                for row_pk, stored, *old_hash in rows:
                    plain = crypto.decrypt(stored, context=field.context)
                    new_hash = hash_field.hash_of(plain) if hash_field else None
                    stale_cipher = not crypto.is_current(stored)
                    stale_hash = hash_field is not None and old_hash[0] != new_hash
                    if stale_cipher or stale_hash:
                        value = crypto.encrypt(plain, context=field.context) if stale_cipher else stored
                        updates.append((value, new_hash, row_pk) if hash_field else (value, row_pk))
                count += len(updates)
                if updates and not check:
                    sets = f"{qn(field.column)} = %s" + (f", {qn(hash_field.column)} = %s" if hash_field else "")
                    with transaction.atomic(), connection.cursor() as cursor:
                        cursor.executemany(f"UPDATE {qn(table)} SET {sets} WHERE {qn(pk)} = %s", updates)  # noqa: S608
            done[label] = count
            if stdout is not None:
                verb = "to re-encrypt or rehash" if check else "re-encrypted or rehashed"
                stdout.write(f"{label}: {count} {verb}")
    return done


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key (SHIAN_FIELD_KEYS) and recompute lookup hashes."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only count the values still to rotate")
        parser.add_argument("--new-key", action="store_true", help="print a new random key and stop")

    def handle(self, *args, check: bool = False, new_key: bool = False, **options):
        if new_key:
            self.stdout.write(crypto.generate_key(crypto.keyring().provider.key_length))
            return
        ring = crypto.keyring()
        self.stdout.write(f"current key {ring.current_id!r}, provider {ring.provider.format!r}")
        try:
            done = rotate(check=check, stdout=self.stdout)
        except crypto.DecryptionError as exc:
            raise CommandError(f"{exc}. Add the key that wrote it to SHIAN_FIELD_KEYS and run again.") from None
        if check and any(done.values()):
            raise CommandError(f"{sum(done.values())} values are not under the current key or hash key yet")
