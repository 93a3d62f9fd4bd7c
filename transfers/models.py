"""Account transfers (转移, DOMAIN.md §8): cross-city transfers through the national platform.

Intra-city moves change the fund account itself (``accounts``); what is recorded here is the
conversation with other centres: contact letters (联系函) in and out and their platform statuses.
"""
