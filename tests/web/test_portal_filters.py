"""The template filters pages use to show money."""

import pytest

from web.templatetags.portal import yuan


class TestYuan:
    @pytest.mark.parametrize(
        ("fen", "shown"),
        [
            (0, "0.00"),
            (5, "0.05"),
            (180000, "1,800.00"),
            (107600616, "1,076,006.16"),
            (-123456789, "-1,234,567.89"),
        ],
    )
    def test_shows_fen_as_yuan_with_thousands_grouped(self, fen, shown):
        assert yuan(fen) == shown

    def test_shows_nothing_for_no_amount(self):
        assert yuan(None) == ""
