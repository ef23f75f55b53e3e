"""The packaged UCI Abalone data: checksum, shape, the UCI description's figures, and the imputed tabular set."""

import hashlib
from importlib import resources

import numpy as np

from lrtcheck.risk.data import ABALONE_SHA256, knn_imputed_tabular, load_abalone


def test_packaged_file_and_its_source_text():
    base = resources.files("lrtcheck") / "data" / "abalone"
    assert hashlib.sha256((base / "abalone.csv").read_bytes()).hexdigest() == ABALONE_SHA256
    source = (base / "SOURCE.md").read_text()
    assert "CC BY 4.0" in source and "10.24432/C55C7W" in source and "Nash" in source


def test_abalone_matches_the_uci_description():
    x, sex = load_abalone()
    assert x.shape == (4177, 8) and sex.shape == (4177,)
    assert {s: int(np.sum(sex == s)) for s in "MFI"} == {"M": 1528, "F": 1307, "I": 1342}
    assert round(float(x[:, 0].mean()), 4) == 0.5240
    assert round(float(x[:, 7].mean()), 4) == 9.9337
    assert np.all(np.isfinite(x))


def test_abalone_knn_imputed():
    d = knn_imputed_tabular("abalone", seed=3)
    assert d.x.shape == d.clean.shape == d.risk.shape == (4177, 8)
    mask = d.info["mask"]
    assert 0.04 < mask.mean() < 0.06
    assert np.all(d.risk[~mask] == 0.0) and np.all(d.x[~mask] == d.clean[~mask])
    assert np.all(np.isfinite(d.x))
