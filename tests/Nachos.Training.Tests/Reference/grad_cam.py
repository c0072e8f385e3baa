"""Reference values for GradCamTests.A_constructed_network_gives_the_hand_computed_map (numpy only).

The network: conv 3x3, stride 2, padding 1, 1 -> 2 channels, with bias, then ReLU (the "last conv block", 6x6 -> 3x3);
head: logits = W @ tanh(flatten(A)) + b (3 classes). Grad-CAM of class c: alpha_k = mean_ij dy_c/dA_k(i,j)
= mean_ij W[c, k, i, j] * (1 - tanh(A_k(i,j))^2); cam = relu(sum_k alpha_k A_k); bilinear upsampling to 6x6 with
half-pixel centres (PyTorch align_corners=False: src = (dst + 0.5) * in/out - 0.5, clamped at 0); min-max scaling.
"""
import numpy as np

rng = np.random.default_rng(7)
x = np.round(rng.uniform(0, 1, (2, 1, 6, 6)), 2)
conv_w = np.round(rng.uniform(-1, 1, (2, 1, 3, 3)), 2)
conv_b = np.array([0.1, -0.05])
head_w = np.round(rng.uniform(-1, 1, (3, 18)), 2)
head_b = np.array([0.2, -0.1, 0.0])
classes = [2, 0]


def conv(img):
    pad = np.pad(img, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((2, 3, 3))
    for k in range(2):
        for i in range(3):
            for j in range(3):
                out[k, i, j] = np.sum(conv_w[k] * pad[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3]) + conv_b[k]
    return np.maximum(out, 0)


def upsample(m, size):
    n = m.shape[0]
    scale = n / size
    src = np.maximum((np.arange(size) + 0.5) * scale - 0.5, 0)
    i0 = np.floor(src).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = src - i0
    rows = m[i0, :] * (1 - lam)[:, None] + m[i1, :] * lam[:, None]
    return rows[:, i0] * (1 - lam)[None, :] + rows[:, i1] * lam[None, :]


def fmt(a):
    return ", ".join(f"{v:.2f}".rstrip("0").rstrip(".") if abs(v) > 0 else "0" for v in a.ravel())


print("input:", fmt(x))
print("conv_w:", fmt(conv_w))
print("head_w:", fmt(head_w))
for n, c in enumerate(classes):
    a = conv(x[n])
    g = head_w[c].reshape(2, 3, 3) * (1 - np.tanh(a) ** 2)
    alpha = g.mean(axis=(1, 2))
    cam = np.maximum(np.tensordot(alpha, a, axes=1), 0)
    up = upsample(cam, 6)
    up = (up - up.min()) / (up.max() - up.min())
    print(f"image {n} class {c}:", ", ".join(f"{v:.9f}" for v in up.ravel()))
