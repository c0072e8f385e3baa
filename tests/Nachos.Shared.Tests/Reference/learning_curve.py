"""Reference values for LearningCurveTests: scipy.optimize.curve_fit of metric(n) = a - b*n^(-c) (SciPy 1.10.1, Debian 12).
Run: /usr/bin/python3 learning_curve.py"""
import numpy as np
from scipy.optimize import curve_fit
n = np.array([8,20,40,80, 8,19,39,78, 9,21,41,82], dtype=float)
y = np.array([0.712,0.801,0.853,0.884, 0.695,0.789,0.861,0.879, 0.730,0.795,0.842,0.890])
f = lambda x,a,b,c: a - b*x**(-c)
p,cov = curve_fit(f, n, y, p0=[0.89, 1.0, 0.5], maxfev=100000, xtol=1e-15, ftol=1e-15, gtol=1e-15)
print([repr(float(v)) for v in p])
print("resid", np.sum((f(n,*p)-y)**2))
# second: exact power law, no noise
n2 = np.array([10,25,50,100,200],dtype=float)
y2 = 0.95 - 0.8*n2**(-0.6)
p2,_ = curve_fit(f, n2, y2, p0=[0.9,1,0.5], xtol=1e-15, ftol=1e-15, gtol=1e-15, maxfev=100000)
print([repr(float(v)) for v in p2])
# decreasing (a minimised metric like hd95): b negative
n3 = np.array([10,25,50,100, 12,24,48,96],dtype=float)
y3 = np.array([9.0,6.1,4.9,4.1, 8.4,6.5,5.0,4.3])
p3,_ = curve_fit(f, n3, y3, p0=[4,-10,0.5], xtol=1e-15, ftol=1e-15, gtol=1e-15, maxfev=100000)
print([repr(float(v)) for v in p3])
# points still rising at the largest n (a simulated study): free fit, and with a bounded to the metric's range [0, 1]
n4 = np.array([40, 39, 40, 99, 103, 101, 204, 202, 199, 402, 402, 402], dtype=float)
y4 = np.array([0.7136633663366336, 0.8489799960388196, 0.7134085957615369, 0.7942574257425743, 0.9110714993067934, 0.7797583679936622,
    0.8053465346534654, 0.8974054268171915, 0.831352743117449, 0.8776237623762376, 0.9663299663299664, 0.8519508813626461])
p4, _ = curve_fit(f, n4, y4, p0=[0.9, 1, 0.5], maxfev=100000)
print([repr(float(v)) for v in p4])
p5, _ = curve_fit(f, n4, y4, p0=[0.9, 1, 0.5], bounds=([0, -np.inf, 0], [1, np.inf, np.inf]), xtol=1e-15, ftol=1e-15, gtol=1e-15, max_nfev=100000)
print([repr(float(v)) for v in p5])
