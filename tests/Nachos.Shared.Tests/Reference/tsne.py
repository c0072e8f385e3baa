"""Reference values for TsneTests: scikit-learn's exact t-SNE (written against 1.2.1; `n_iter` is `max_iter` since 1.5).

The data are integers, so their squared distances are exact in single precision: scikit-learn casts them to float32
before the perplexity search, Nachos keeps doubles; on such data the two agree.
"""
import numpy as np
import sklearn
from scipy.spatial.distance import pdist
from sklearn.manifold import TSNE, trustworthiness, _utils
from sklearn.manifold._t_sne import _gradient_descent, _joint_probabilities, _kl_divergence


def show(name, values, fmt="{:.17g}"):
    print(f"{name}: " + ", ".join(fmt.format(float(v)) for v in np.ravel(values)))


print(f"// scikit-learn {sklearn.__version__}")
rng = np.random.default_rng(14)

# Affinities and the objective on 8 points of 3 features.
x = rng.integers(-4, 5, size=(8, 3)).astype(float)
d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
show("small data", x, "{:g}")
show("conditional P (perplexity 3)", _utils._binary_search_perplexity(d2.astype(np.float32), 3.0, 0))
p = _joint_probabilities(d2, 3.0, 0)
show("joint P (condensed)", p)
y = np.round(rng.normal(0, 1, size=(8, 2)), 3)
show("embedding", y, "{:g}")
kl, grad = _kl_divergence(y.ravel(), p, 1, 8, 2)
show("KL", [kl])
show("gradient", grad)

# A whole run: 30 points of 5 features in three clusters, from a fixed start.
centres = np.array([[0, 0, 0, 0, 0], [8, 0, 4, 0, 0], [0, 9, 0, -6, 3]])
x = (centres[np.repeat(np.arange(3), 10)] + rng.integers(-2, 3, size=(30, 5))).astype(float)
start = np.round(rng.normal(0, 1e-4, size=(30, 2)), 8)
show("run data", x, "{:g}")
show("run start", start, "{!r}")
tsne = TSNE(n_components=2, perplexity=5, init=start, method="exact", learning_rate=50, n_iter=1000, random_state=0)
emb = tsne.fit_transform(x)
show("run embedding", emb)
show("run KL", [tsne.kl_divergence_])
print("run n_iter_:", tsne.n_iter_)
print("run trustworthiness (5 neighbours): {:.17g}".format(trustworthiness(x, emb, n_neighbors=5)))

# The optimizer step by step (scikit-learn's _gradient_descent on _kl_divergence, as TSNE._tsne calls it). Only short
# stretches: the descent is chaotic, changing the start by 1e-15 relative moves the points by their whole scale within
# 50 exaggerated steps, so summing in another order cannot be followed further.
d2 = ((x[:, None, :] - x[None, :, :]) ** 2).sum(-1)
p = _joint_probabilities(d2, 5.0, 0)
common = dict(n_iter_check=50, learning_rate=50, args=[p, 1, 30, 2], kwargs=dict(skip_num_points=0))
y, err, it = _gradient_descent(_kl_divergence, start.ravel().copy(), 0, 10, n_iter_without_progress=250, momentum=0.5,
                               **{**common, "args": [p * 12, 1, 30, 2]})
show("10 exaggerated steps", y)
print(f"  KL {err!r}, last iteration {it}")
late_start = np.round(emb, 2)
show("late start", late_start, "{:g}")
y, err, it = _gradient_descent(_kl_divergence, late_start.ravel().copy(), 250, 300, n_iter_without_progress=300, momentum=0.8, **common)
show("steps 250-299", y)
print(f"  KL {err!r}, last iteration {it}")

# How chaotic: scikit-learn's own final KL divergence and trustworthiness when its start is changed by i * 1e-14.
runs = [TSNE(n_components=2, perplexity=5, init=start * (1 + i * 1e-14), method="exact", learning_rate=50, n_iter=1000,
             random_state=0) for i in range(12)]
embs = [t.fit_transform(x) for t in runs]
print("perturbed KL:", ", ".join(f"{t.kl_divergence_:.4f}" for t in runs))
print("perturbed trustworthiness:", ", ".join(f"{trustworthiness(x, e, n_neighbors=5):.4f}" for e in embs))
