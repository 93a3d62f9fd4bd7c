import copy
import json
import pickle

import pytest

from approvals.engine import UNKNOWN, Unknown, any_unknown, is_unknown


class TestUnknown:
    def test_is_a_singleton(self):
        made = Unknown()

        assert made is UNKNOWN

    def test_survives_pickling_and_copying_as_the_same_object(self):
        copies = [pickle.loads(pickle.dumps(UNKNOWN)), copy.copy(UNKNOWN), copy.deepcopy(UNKNOWN)]

        assert all(each is UNKNOWN for each in copies)

    def test_has_no_truth_value(self):
        with pytest.raises(TypeError, match="is_unknown"):
            bool(UNKNOWN)

    def test_cannot_be_compared_with_a_number(self):
        with pytest.raises(TypeError):
            UNKNOWN > 0  # noqa: B015

    def test_serialises_as_a_json_marker(self):
        text = json.dumps(UNKNOWN.to_json())

        assert text == '{"unknown": true}'

    def test_is_recognised_only_by_identity(self):
        checks = (is_unknown(UNKNOWN), is_unknown(None), is_unknown({"unknown": True}))

        assert checks == (True, False, False)

    def test_is_found_among_other_values(self):
        checks = (any_unknown(1, None, UNKNOWN), any_unknown(1, None, False))

        assert checks == (True, False)
