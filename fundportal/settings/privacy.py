"""Personal data (PIPL): what the logs may carry and who may see a full ID or card number.

Star-imported at the end of base.py, which then passes its ``LOGGING`` through
``with_log_scrubbing`` (this module cannot import base.py: base.py imports it).
"""

import os


def _retired_keys(text: str) -> dict[int, str]:
    """``"1:<key>,2:<key>"`` → ``{1: "<key>", 2: "<key>"}`` (base64 keys end in "=", so not a=b pairs)."""
    keys = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        version, _sep, key = item.partition(":")
        keys[int(version)] = key.strip()
    return keys


# Key rotation (docs/privacy.md): the current key's version, and the keys of earlier versions
# still needed to read what they wrote until ``manage.py rotate_field_key`` has run.
FIELD_ENCRYPTION_KEY_VERSION = int(os.environ.get("FIELD_ENCRYPTION_KEY_VERSION", "1"))
FIELD_ENCRYPTION_RETIRED_KEYS = _retired_keys(os.environ.get("FIELD_ENCRYPTION_RETIRED_KEYS", ""))

# Every handler masks resident ID and bank card numbers before it formats a record.
PRIVACY_LOG_FILTERS = {"scrub": {"()": "core.logscrub.ScrubPersonalNumbers"}}

# Celery leaves the root logger as Django configured it, so worker and task lines go through
# the same scrubbing handlers instead of Celery's own.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# A reason for looking at someone's full ID or card number is a sentence, not "ok".
PRIVACY_REVEAL_REASON_MIN_LENGTH = 10

# How many rows ``rotate_field_key`` re-encrypts per transaction.
FIELD_KEY_ROTATION_BATCH = 500


def with_log_scrubbing(logging_config: dict) -> dict:
    """``logging_config`` with the scrubbing filter on every handler.

    Django's own ``django`` logger is named too, without handlers: Django's default handlers for
    it (a console and the admins' mail) would otherwise format its records unscrubbed; its
    records reach the root's scrubbed handlers instead.
    """
    config = {**logging_config, "filters": {**logging_config.get("filters", {}), **PRIVACY_LOG_FILTERS}}
    config["handlers"] = {
        name: {**handler, "filters": [*handler.get("filters", []), *PRIVACY_LOG_FILTERS]}
        for name, handler in logging_config.get("handlers", {}).items()
    }
    config["loggers"] = {"django": {"level": "INFO", "propagate": True}, **logging_config.get("loggers", {})}
    return config


# Blind-index columns whose clear value is not in a sibling encrypted field of the same row
# (``<field>`` beside ``<field>_index`` is found by itself): where ``rotate_field_key`` reads
# it, the first path that gives a value wins. Rows with none keep their old index.
FIELD_INDEX_SOURCES = {
    "transfers.OutgoingTransfer.id_number_index": ("person__id_number",),
    "hotline.InboundSms.mobile_index": ("reply__mobile", "person__mobile"),
}
