"""Reference values for StatisticalTestsTests, computed with SciPy 1.10 / NumPy / scikit-learn on Debian 12
(python3-scipy 1.10.1). statsmodels is not installed: McNemar and Holm are written here as statsmodels defines them,
DeLong as Sun & Xu (2014) Algorithm 1 (its AUROCs checked against sklearn). Run: /usr/bin/python3 statistical_tests.py"""
import warnings
import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score

warnings.simplefilter("ignore")
rng = np.random.default_rng(20240514)

def cs(a):  # a C# array literal
    return "[" + ", ".join(repr(float(v)) for v in a) + "]"

def lcg(n, mult, mod, scale=1.0, offset=0.0):
    """Deterministic large samples that C# rebuilds bit for bit: ((i * mult) % mod) / mod * scale + offset."""
    i = np.arange(n, dtype=np.int64)
    return ((i * mult) % mod).astype(float) / mod * scale + offset

print("// data")
x = np.round(rng.normal(0.80, 0.05, 12), 4); y = np.round(x - rng.normal(0.02, 0.03, 12), 4)
print("X12 =", cs(x)); print("Y12 =", cs(y))
tie = np.array([0.81, 0.79, 0.80, 0.83, 0.80, 0.78, 0.82, 0.80, 0.79, 0.81, 0.84, 0.80])
tie2 = np.array([0.80, 0.80, 0.79, 0.81, 0.79, 0.78, 0.80, 0.80, 0.78, 0.80, 0.82, 0.81])
print("Tie =", cs(tie)); print("Tie2 =", cs(tie2))
big = np.round(rng.normal(0, 1, 60), 3); big2 = np.round(big + rng.normal(0.2, 0.5, 60), 3)
print("Big60 =", cs(big)); print("Big60b =", cs(big2))

print("// paired t")
for alt in ["two-sided", "less", "greater"]:
    r = stats.ttest_rel(x, y, alternative=alt); print("ttest_rel", alt, repr(r.statistic), repr(r.pvalue), repr(np.mean(x - y)))

print("// Nadeau-Bengio: 10 folds x 1 (n_train 900, n_test 100), then 5x2")
d = np.round(rng.normal(0.01, 0.02, 10), 5); print("NbD =", cs(d))
for ntr, nte in [(900, 100), (500, 500)]:
    t = d.mean() / np.sqrt((1 / len(d) + nte / ntr) * d.var(ddof=1))
    print("nb", ntr, nte, repr(t), repr(2 * stats.t.sf(abs(t), len(d) - 1)), repr(stats.t.cdf(t, len(d) - 1)))

print("// Wilcoxon")
print("exact", [(alt, repr(r.statistic), repr(r.pvalue)) for alt in ["two-sided", "less", "greater"] for r in [stats.wilcoxon(x, y, alternative=alt)]])
z = np.array([0.5, -1.25, 2.0, 3.5, -0.75, 4.25, 1.5, 5.0, 2.75, -0.25])
print("W10 =", cs(z), "exact_n10", repr(stats.wilcoxon(z).statistic), repr(stats.wilcoxon(z).pvalue))
for nm, a, b in [("ties", tie, tie2), ("big60", big, big2)]:
    for alt in ["two-sided", "less", "greater"]:
        r = stats.wilcoxon(a, b, correction=True, method="approx", alternative=alt)
        print("approx", nm, alt, repr(r.statistic), repr(r.pvalue), repr(r.zstatistic), "n_nonzero", int(np.sum(a - b != 0)))
print("auto big60", repr(stats.wilcoxon(big, big2, correction=True).pvalue))
r = stats.wilcoxon([1.0, 0.0, 2.0, -3.0, 0.0, 4.0], correction=True); print("zeros auto->approx", repr(r.statistic), repr(r.pvalue))
r = stats.wilcoxon([1.0, 1.0, 2.0, -3.0, 4.0, 5.0, -2.0, 6.0, 7.0, 8.0], correction=True, method="approx")
print("tied |d| approx", repr(r.statistic), repr(r.pvalue), repr(r.zstatistic))
r = stats.wilcoxon(np.arange(1.0, 51.0)); print("exact n50 all positive", repr(r.statistic), repr(r.pvalue))
try:
    stats.wilcoxon([0.0, 0.0, 0.0])
except ValueError as e:
    print("all zero:", e)

print("// Mann-Whitney")
a = np.array([0.71, 0.64, 0.80, 0.77, 0.69, 0.73]); b = np.array([0.66, 0.62, 0.70, 0.59, 0.68, 0.61, 0.63, 0.65, 0.72])
print("MwA =", cs(a), "MwB =", cs(b))
for alt in ["two-sided", "less", "greater"]:
    r = stats.mannwhitneyu(a, b, alternative=alt); print("mwu exact", alt, repr(r.statistic), repr(r.pvalue))
r = stats.mannwhitneyu([1.0, 2.0, 3.0], [4.0, 5.0]); print("mwu 3v2", repr(r.statistic), repr(r.pvalue))
for alt in ["two-sided", "less", "greater"]:
    r = stats.mannwhitneyu(tie, tie2, alternative=alt); print("mwu ties", alt, repr(r.statistic), repr(r.pvalue))
r = stats.mannwhitneyu(big, big2); print("mwu big60", repr(r.statistic), repr(r.pvalue))
s = lcg(40, 37, 101); t = lcg(300, 53, 307, 1.0, 0.05)
r = stats.mannwhitneyu(s[:8], t[:300]); print("mwu 8v300 exact", repr(r.statistic), repr(r.pvalue))
L1 = lcg(100000, 7919, 100003); L2 = lcg(100000, 104729, 99991, 1.0, 0.004)
r = stats.mannwhitneyu(L1, L2); print("mwu 1e5", repr(r.statistic), repr(r.pvalue))
L3 = np.floor(lcg(100000, 7919, 100003) * 20) / 20; L4 = np.floor(lcg(100000, 104729, 99991, 1.0, 0.004) * 20) / 20
r = stats.mannwhitneyu(L3, L4); print("mwu 1e5 ties", repr(r.statistic), repr(r.pvalue))

print("// KS")
for nm, p, q in [("6v9", a, b), ("12v12 ties", tie, tie2), ("60v60", big, big2), ("12v60", x, big), ("8v300", s[:8], t),
                 ("40v300", s, t)]:
    r = stats.ks_2samp(p, q); print("ks", nm, repr(r.statistic), repr(r.pvalue))
K1 = lcg(20000, 7919, 100003); K2 = lcg(30000, 104729, 99991, 1.0, 0.01)
r = stats.ks_2samp(K1, K2); en = 20000 * 30000 / 50000
print("ks 2e4v3e4", repr(r.statistic), repr(r.pvalue), "kstwobign", repr(stats.kstwobign.sf(np.sqrt(en) * r.statistic)))
r = stats.ks_2samp(L1, L2); en = 1e5 * 1e5 / 2e5
print("ks 1e5", repr(r.statistic), repr(r.pvalue), "kstwobign", repr(stats.kstwobign.sf(np.sqrt(en) * r.statistic)))
for lam in [0.3, 0.8, 1.0, 1.36, 2.5]:
    print("kstwobign.sf", lam, repr(stats.kstwobign.sf(lam)))

print("// Shapiro-Wilk")
for nm, v in [("n3", [1.0, 2.0, 4.0]), ("n5", [2.1, 3.4, 1.9, 5.6, 2.2]), ("x12", x), ("big60", big),
              ("exp30", np.round(rng.exponential(1.0, 30), 4)), ("ties", tie)]:
    r = stats.shapiro(v); print("shapiro", nm, cs(v) if nm == "exp30" else "", repr(float(r.statistic)), repr(float(r.pvalue)))
S5000 = lcg(5000, 7919, 10007)
r = stats.shapiro(S5000); print("shapiro uniform5000", repr(float(r.statistic)), repr(float(r.pvalue)))

print("// Friedman (blocks x methods) and Nemenyi q")
F = np.round(rng.normal([0.80, 0.82, 0.78, 0.81], 0.02, (8, 4)), 2)
print("F =", "[" + ", ".join(cs(row) for row in F) + "]")
r = stats.friedmanchisquare(*F.T); print("friedman", repr(r.statistic), repr(r.pvalue))
ranks = np.array([stats.rankdata(-row) for row in F]).mean(axis=0); print("avg ranks (1 = best)", cs(ranks))
for k in range(2, 11):
    print("q", k, round(stats.studentized_range.ppf(0.95, k, 1e7) / np.sqrt(2), 3), round(stats.studentized_range.ppf(0.90, k, 1e7) / np.sqrt(2), 3))

print("// DeLong (Sun & Xu 2014)")
def midrank(v):
    return stats.rankdata(v)
def delong(s1, s2, yb):
    pos, neg = yb == 1, yb == 0; m, n = pos.sum(), neg.sum()
    V10, V01, aucs = [], [], []
    for sc in (s1, s2):
        X, Y = sc[pos], sc[neg]
        tx, ty, tz = midrank(X), midrank(Y), midrank(np.concatenate([X, Y]))
        aucs.append((tz[:m].sum() - m * (m + 1) / 2) / (m * n))
        V10.append((tz[:m] - tx) / n); V01.append(1 - (tz[m:] - ty) / m)
    S = np.cov(np.array(V10)) / m + np.cov(np.array(V01)) / n
    z = (aucs[0] - aucs[1]) / np.sqrt(S[0, 0] + S[1, 1] - 2 * S[0, 1])
    return aucs[0], aucs[1], S[0, 0], S[1, 1], S[0, 1], z, 2 * stats.norm.sf(abs(z))
yl = (rng.random(40) < 0.4).astype(int)
s1 = np.round(yl * 0.8 + rng.normal(0, 0.6, 40), 1); s2 = np.round(yl * 0.4 + rng.normal(0, 0.6, 40), 1)  # rounded: many ties
print("DlY =", "[" + ", ".join("true" if v else "false" for v in yl) + "]"); print("DlS1 =", cs(s1)); print("DlS2 =", cs(s2))
r = delong(s1, s2, yl); print("delong", [repr(v) for v in r], "sklearn", repr(roc_auc_score(yl, s1)), repr(roc_auc_score(yl, s2)))
Y5 = (lcg(100000, 7919, 100003) < 0.3).astype(int)
A5 = lcg(100000, 104729, 99991) + 0.3 * Y5; B5 = np.floor((lcg(100000, 15485863, 99989) + 0.2 * Y5) * 100) / 100
r = delong(A5, B5, Y5); print("delong 1e5", [repr(v) for v in r], "sklearn", repr(roc_auc_score(Y5, A5)), repr(roc_auc_score(Y5, B5)))

print("// McNemar (statsmodels' definitions)")
for b_, c_ in [(3, 11), (0, 5), (7, 7), (10, 20), (30, 12)]:
    ex = min(1.0, 2 * stats.binom.cdf(min(b_, c_), b_ + c_, 0.5))
    chi = (abs(b_ - c_) - 1) ** 2 / (b_ + c_)
    print("mcnemar", b_, c_, "exact", repr(ex), "chi2", repr(chi), repr(stats.chi2.sf(chi, 1)))

print("// Holm (statsmodels' multipletests algorithm)")
def holm(p):
    p = np.asarray(p); o = np.argsort(p); m = len(p)
    adj = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * p[o])); out = np.empty(m); out[o] = adj; return out
for ps in [[0.01, 0.04, 0.03, 0.005], [0.2, 0.5, 0.01, 0.04, 0.03], [0.5, 0.6, 0.7]]:
    print("holm", cs(ps), cs(holm(ps)))
