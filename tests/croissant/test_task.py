"""A task's label table split into the cases file and the published labels file."""

from __future__ import annotations

import pytest

from medal_catalog.croissant.task import split_table

SPEC = {"case_id_column": "case_id", "split_column": "split", "label_columns": ["malignant"]}
SPLITS = [{"name": "train", "labels_hidden": False}, {"name": "test", "labels_hidden": True}]


def test_split_table_keeps_every_case_and_only_published_labels():
    table = b"case_id,split,age,site,malignant\nc1,train,64,A,1\nc2,test,70,B,0\nc3,other,55,,1\n,train,1,A,1\n"
    files = split_table(table, SPEC, SPLITS)
    assert files.cases == b"case_id,split,age,site\nc1,train,64,A\nc2,test,70,B\nc3,other,55,\n"
    assert files.labels == b"case_id,malignant\nc1,1\n"  # not c2 (hidden split), not c3 (unknown split)
    assert files.hidden_rows == 2
    assert files.types == {
        "case_id": "sc:Text",
        "split": "sc:Text",
        "age": "sc:Integer",
        "site": "sc:Text",
        "malignant": "sc:Integer",
    }
    with pytest.raises(ValueError, match="'malignant'"):
        split_table(b"case_id,split\nc1,train\n", SPEC, SPLITS)
