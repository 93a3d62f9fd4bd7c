"""Personal data (PIPL): what the logs may carry and who may see a full ID or card number.

Star-imported at the end of base.py.
"""
