"""Reference values for SegmentationLossTests, computed by hand in NumPy (float64). The inputs are built by the same
formulas in the C# test (BinaryCase, MultiClassCase). Semantics: per image and per channel, then the mean
(MONAI batch=False, include_background=True), smooth 1e-5 on numerator and denominator.
Run: /usr/bin/python3 segmentation_losses.py"""
import numpy as np

S = 1e-5
N, H, W = 2, 3, 4
idx = np.arange(N * H * W)

# Binary: one foreground logit per pixel.
bin_logits = (((idx * 37) % 11) - 5) / 2.5
bin_labels = ((idx * 7) % 5 < 2).astype(np.int64)
# Multi-class: 3 channels.
C = 3
mc_idx = np.arange(N * C * H * W)
mc_logits = ((((mc_idx * 53) % 13) - 6) / 3.0).reshape(N, C, H, W)
mc_labels = ((idx * 5) % 7 % 3).reshape(N, H, W)

def sigmoid(x): return 1 / (1 + np.exp(-x))

def softmax(x):
    e = np.exp(x - x.max(axis=1, keepdims=True)); return e / e.sum(axis=1, keepdims=True)

def dice(p, g):
    tp = (p * g).sum(axis=(2, 3)); return np.mean(1 - (2 * tp + S) / (p.sum(axis=(2, 3)) + g.sum(axis=(2, 3)) + S))

def focal_tversky(p, g, a, b, gamma):
    tp = (p * g).sum(axis=(2, 3)); fp = (p * (1 - g)).sum(axis=(2, 3)); fn = ((1 - p) * g).sum(axis=(2, 3))
    ti = (tp + S) / (tp + a * fp + b * fn + S); return np.mean((1 - ti) ** gamma)

x = bin_logits.reshape(N, 1, H, W); g = bin_labels.reshape(N, 1, H, W).astype(float); p = sigmoid(x)
bce = np.mean(-(g * np.log(p) + (1 - g) * np.log(1 - p)))
print(f"binary dice            {dice(p, g):.9f}")
print(f"binary bce+dice        {bce + dice(p, g):.9f}")
print(f"binary focal-tversky   {focal_tversky(p, g, 0.3, 0.7, 0.75):.9f}  (a 0.3, b 0.7, g 0.75)")
print(f"binary focal-tversky   {focal_tversky(p, g, 0.8, 0.2, 2.0):.9f}  (a 0.8, b 0.2, g 2)")

p = softmax(mc_logits); g = np.eye(C)[mc_labels].transpose(0, 3, 1, 2)
ce = np.mean(-np.log(np.take_along_axis(p, mc_labels[:, None], axis=1)))
print(f"multiclass dice        {dice(p, g):.9f}")
print(f"multiclass ce+dice     {ce + dice(p, g):.9f}")
print(f"multiclass focal-tversky {focal_tversky(p, g, 0.3, 0.7, 0.75):.9f}  (a 0.3, b 0.7, g 0.75)")
