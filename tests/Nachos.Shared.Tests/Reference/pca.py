"""Reference values for PcaTests: scikit-learn's PCA (exact solver) on two small data sets.

Run with a scikit-learn of any version: the data were chosen so that the sign conventions before 1.5 (each
component's score column's largest |value| positive) and since (each component's largest |loading| positive) agree;
the script asserts it.
"""
import numpy as np
import sklearn
from sklearn.decomposition import PCA


def case(name, x, k):
    pca = PCA(n_components=k, svd_solver="full").fit(x)
    scores = pca.transform(x)
    comps = pca.components_
    # The convention since 1.5, applied by hand: must agree with what this version gave.
    u, s, vt = np.linalg.svd(x - x.mean(axis=0), full_matrices=False)
    signs = np.sign(vt[np.arange(k), np.argmax(np.abs(vt[:k]), axis=1)])
    assert np.allclose(comps, vt[:k] * signs[:, None]), f"{name}: sign conventions disagree; pick other data"
    print(f"// {name} (scikit-learn {sklearn.__version__})")
    print("data:", ", ".join(repr(float(v)) for v in x.ravel()))
    print("scores:", ", ".join(f"{v:.12g}" for v in scores.ravel()))
    print("components:", ", ".join(f"{v:.12g}" for v in comps.ravel()))
    print("mean:", ", ".join(f"{v:.12g}" for v in pca.mean_))
    print("explained_variance:", ", ".join(f"{v:.12g}" for v in pca.explained_variance_))
    print("explained_variance_ratio:", ", ".join(f"{v:.12g}" for v in pca.explained_variance_ratio_))


rng = np.random.default_rng(3)
case("tall: 10 rows x 4 features", np.round(rng.normal(0, 1, (10, 4)) * np.array([3, 1.5, 1, 0.5]), 2), 2)
rng = np.random.default_rng(4)
case("wide: 4 rows x 6 features", np.round(rng.normal(0, 1, (4, 6)), 2), 2)
