"""Insert many rows quickly: the scan's first run over a large portfolio writes tens of thousands of alerts.

Django's bulk_create compiles every value of every row through the field machinery, which costs more than the
database work for large batches. This builds the rows from model instances (so defaults are the models' own) and
converts only the values whose database form differs from the Python one (aware datetimes, JSON, decimals), then
lets the driver's executemany send them in multi-row INSERTs. It returns nothing (no primary keys, like
bulk_create on MariaDB) and sends no signals.
"""

from collections.abc import Sequence

from django.db import connection, models

BATCH = 1000
# Field types whose Python value the driver cannot take as it is.
CONVERTED = (models.DateTimeField, models.JSONField, models.DecimalField, models.UUIDField)


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT the (unsaved) instances of one model, all their concrete fields but an automatic primary key."""
    if not objs:
        return
    meta = objs[0]._meta
    fields = [f for f in meta.concrete_fields if not isinstance(f, models.AutoField | models.BigAutoField)]
    convert = [_converter(f) if isinstance(f, CONVERTED) else None for f in fields]
    attnames = [f.attname for f in fields]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    rows = [
        tuple(getattr(obj, name) if conv is None else conv(getattr(obj, name))
              for name, conv in zip(attnames, convert, strict=True))
        for obj in objs
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])


def _converter(field: models.Field):
    """The field's conversion to its database form, remembering each value converted: the rows of one insert share
    most of theirs (the scan's `now` in every alert, event and notification), and converting an aware datetime
    costs more than the rest of the row."""
    converted = {}

    def convert(value):
        try:
            return converted[value]
        except KeyError:
            converted[value] = result = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # unhashable (JSON lists and dicts): converted each time
            return field.get_db_prep_save(value, connection)

    return convert
