"""Personal data (PIPL): what the logs may carry and who may see a full ID or card number.

Star-imported at the end of base.py, which then passes its ``LOGGING`` through
``with_log_scrubbing`` (this module cannot import base.py: base.py imports it).
"""

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
