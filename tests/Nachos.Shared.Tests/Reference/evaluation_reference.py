"""Reference values of tests/Nachos.Shared.Tests/EvaluationTests.cs: scikit-learn 1.2 on the constructed CSVs there.
Binary: positive = the second class, predicted positive when p >= 0.5. Multi-class: arg-max, macro one-vs-rest.
Multi-label: per-label at p >= 0.5, macro; accuracy = 1 - Hamming loss."""
import numpy as np
from sklearn.metrics import roc_auc_score, accuracy_score, recall_score, f1_score, balanced_accuracy_score, hamming_loss

# sample_id, patient_id, site, truth (1 = lesion), p_lesion. Ties: 0.5 (on the threshold) and 0.3 / 0.7 across classes.
BINARY = [
    ("i01", "P1", "A", 1, 0.9), ("i02", "P1", "A", 0, 0.3), ("i03", "P2", "A", 1, 0.5), ("i04", "P2", "A", 0, 0.5),
    ("i05", "P3", "A", 0, 0.7), ("i06", "P3", "A", 1, 0.7), ("i07", "P4", "B", 1, 0.3), ("i08", "P4", "B", 0, 0.1),
    ("i09", "P5", "B", 0, 0.2), ("i10", "P5", "B", 1, 0.8), ("i11", "P6", "B", 0, 0.6), ("i12", "P6", "B", 1, 0.65),
    ("i13", "P7", "C", 0, 0.05), ("i14", "P7", "C", 0, 0.3), ("i15", "P8", "C", 1, 0.95), ("i16", "P8", "C", 1, 0.3),
    ("i17", "P9", "C", 0, 0.5), ("i18", "P9", "C", 1, 0.45), ("i19", "P10", "C", 0, 0.2), ("i20", "P10", "C", 1, 0.7),
]

def binary(rows):
    y = np.array([r[3] for r in rows]); p = np.array([r[4] for r in rows]); pred = (p >= 0.5).astype(int)
    return dict(auroc=roc_auc_score(y, p), accuracy=accuracy_score(y, pred), balanced_accuracy=balanced_accuracy_score(y, pred),
                f1=f1_score(y, pred), sensitivity=recall_score(y, pred), specificity=recall_score(1 - y, 1 - pred))

print("binary all", {k: repr(v) for k, v in binary(BINARY).items()})
for site in "ABC":
    print("binary site", site, {k: repr(v) for k, v in binary([r for r in BINARY if r[2] == site]).items()})

# Multi-class: truth index, probabilities of classes a, b, c (a tie between b and c goes to b, the lower index).
MULTI = [(0, [0.6, 0.3, 0.1]), (1, [0.2, 0.4, 0.4]), (2, [0.1, 0.3, 0.6]), (2, [0.3, 0.35, 0.35]), (0, [0.4, 0.4, 0.2]),
         (1, [0.1, 0.8, 0.1]), (2, [0.5, 0.2, 0.3]), (0, [0.2, 0.5, 0.3]), (1, [0.3, 0.3, 0.4])]
y = np.array([m[0] for m in MULTI]); p = np.array([m[1] for m in MULTI]); pred = p.argmax(axis=1)
spec = np.mean([recall_score(y != c, pred != c) for c in range(3)])
print("multiclass", dict(auroc=repr(roc_auc_score(y, p, multi_class="ovr", average="macro")), accuracy=repr(accuracy_score(y, pred)),
      balanced_accuracy=repr(balanced_accuracy_score(y, pred)), f1=repr(f1_score(y, pred, average="macro")),
      sensitivity=repr(recall_score(y, pred, average="macro")), specificity=repr(spec)))

# Multi-label: truth per label x, y; probabilities per label.
ML = [([1, 0], [0.9, 0.2]), ([0, 1], [0.4, 0.6]), ([1, 1], [0.5, 0.5]), ([0, 0], [0.5, 0.1]), ([1, 0], [0.3, 0.7]), ([0, 1], [0.2, 0.3])]
y = np.array([m[0] for m in ML]); p = np.array([m[1] for m in ML]); pred = (p >= 0.5).astype(int)
spec = np.mean([recall_score(1 - y[:, c], 1 - pred[:, c]) for c in range(2)])
bal = np.mean([balanced_accuracy_score(y[:, c], pred[:, c]) for c in range(2)])
print("multilabel", dict(auroc=repr(roc_auc_score(y, p, average="macro")), accuracy=repr(1 - hamming_loss(y, pred)), balanced_accuracy=repr(bal),
      f1=repr(f1_score(y, pred, average="macro")), sensitivity=repr(recall_score(y, pred, average="macro")), specificity=repr(spec)))
