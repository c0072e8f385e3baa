"""Reference values for SegmentationMetricsTests, computed with SciPy/NumPy/scikit-learn (Debian python3-scipy 1.10,
python3-sklearn 1.2). The shapes are built by the same rules in the C# test (Shapes). Run: /usr/bin/python3 segmentation_metrics.py"""
import numpy as np
from scipy import ndimage
from sklearn.metrics import roc_auc_score

def rect(h, w, y0, x0, y1, x1):
    m = np.zeros((h, w), bool); m[y0:y1, x0:x1] = True; return m

def disc(h, w, cy, cx, r):
    y, x = np.mgrid[0:h, 0:w]; return (y - cy) ** 2 + (x - cx) ** 2 <= r * r

def surface(m):
    return m & ~ndimage.binary_erosion(m, structure=ndimage.generate_binary_structure(2, 1), border_value=0)

def metrics(t, p, tau, sy=1.0, sx=1.0):
    tp = int((t & p).sum()); fp = int((~t & p).sum()); fn = int((t & ~p).sum()); tn = int((~t & ~p).sum())
    st, sp = surface(t), surface(p)
    d_tp = ndimage.distance_transform_edt(~sp, sampling=(sy, sx))[st]
    d_pt = ndimage.distance_transform_edt(~st, sampling=(sy, sx))[sp]
    hd95 = max(np.percentile(d_tp, 95), np.percentile(d_pt, 95))
    assd = (d_tp.sum() + d_pt.sum()) / (len(d_tp) + len(d_pt))
    nsd = ((d_tp <= tau).sum() + (d_pt <= tau).sum()) / (len(d_tp) + len(d_pt))
    dice = 2 * tp / (2 * tp + fp + fn); iou = tp / (tp + fp + fn)
    return tp, fp, fn, tn, dice, iou, hd95, assd, nsd

cases = {
    "square_vs_shifted_square": (rect(32, 32, 8, 8, 18, 18), rect(32, 32, 10, 11, 20, 21), 2.0, 1.0, 1.0),
    "disc_vs_disc_anisotropic": (disc(40, 48, 20, 22, 9), disc(40, 48, 17, 26, 11), 1.5, 0.5, 2.0),
    "one_pixel_vs_one_pixel": (rect(16, 16, 3, 4, 4, 5), rect(16, 16, 9, 12, 10, 13), 1.0, 1.0, 1.0),
    "nested_squares": (rect(24, 24, 2, 2, 22, 22), rect(24, 24, 8, 8, 14, 14), 3.0, 1.0, 1.0),
    "touching_squares": (rect(20, 20, 5, 2, 15, 10), rect(20, 20, 5, 10, 15, 18), 1.0, 1.0, 1.0),
    "full_vs_full": (np.ones((6, 7), bool), np.ones((6, 7), bool), 0.0, 1.0, 1.0),
    "blobs_128": (disc(128, 128, 40, 50, 25) | rect(128, 128, 70, 60, 110, 120) | disc(128, 128, 100, 20, 12),
                  disc(128, 128, 44, 47, 27) | rect(128, 128, 75, 58, 112, 115) | disc(128, 128, 20, 100, 6), 2.0, 0.8, 1.2),
}
for name, (t, p, tau, sy, sx) in cases.items():
    tp, fp, fn, tn, dice, iou, hd95, assd, nsd = metrics(t, p, tau, sy, sx)
    print(f'["{name}"] = ({tp}, {fp}, {fn}, {tn}, {dice!r}, {iou!r}, {hd95!r}, {assd!r}, {nsd!r}),')

# Pixel AUROC: probabilities from position, rounded to 0.05 so that many tie.
t = disc(32, 32, 15, 16, 8)
y, x = np.mgrid[0:32, 0:32]
prob = np.round(np.clip(1 - np.sqrt((y - 14.0) ** 2 + (x - 17.0) ** 2) / 16, 0, 1) / 0.05) * 0.05
print("pixel auroc", repr(roc_auc_score(t.ravel(), prob.ravel())))
print("percentile", repr(np.percentile([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0], 95)), repr(np.percentile([2.5], 95)), repr(np.percentile([0.0, 10.0], 37.5)))
