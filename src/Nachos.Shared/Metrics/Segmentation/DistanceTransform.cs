namespace Nachos.Shared.Metrics.Segmentation;

/// <summary>
/// Exact Euclidean distance transform (Felzenszwalb and Huttenlocher's separable lower envelope of parabolas), with
/// a pixel spacing per axis: for every pixel, the distance to the nearest set pixel of <c>targets</c>.
/// </summary>
public static class DistanceTransform
{
    /// <summary>Distances in spacing units; +∞ everywhere when no pixel is set.</summary>
    public static double[] Compute(bool[] targets, int height, int width, double spacingY = 1, double spacingX = 1)
    {
        var d = new double[targets.Length];
        for (var i = 0; i < d.Length; i++) d[i] = targets[i] ? 0 : double.PositiveInfinity;
        var line = new double[Math.Max(height, width)];
        var result = new double[line.Length];
        // The envelope's buffers, shared by every row and column.
        var v = new int[line.Length];
        var z = new double[line.Length + 1];
        // Columns, then rows, of squared distances.
        for (var x = 0; x < width; x++)
        {
            for (var y = 0; y < height; y++) line[y] = d[y * width + x];
            Envelope(line, height, spacingY * spacingY, result, v, z);
            for (var y = 0; y < height; y++) d[y * width + x] = result[y];
        }
        for (var y = 0; y < height; y++)
        {
            Array.Copy(d, y * width, line, 0, width);
            Envelope(line, width, spacingX * spacingX, result, v, z);
            Array.Copy(result, 0, d, y * width, width);
        }
        for (var i = 0; i < d.Length; i++) d[i] = Math.Sqrt(d[i]);
        return d;
    }

    /// <summary>One dimension: out[q] = min over p of (w · (q − p)² + f[p]).</summary>
    private static void Envelope(double[] f, int n, double w, double[] output, int[] v, double[] z)
    {
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue;
            while (true)
            {
                if (k < 0)
                {
                    k = 0;
                    v[0] = q;
                    z[0] = double.NegativeInfinity;
                    z[1] = double.PositiveInfinity;
                    break;
                }
                // Where the parabola from q overtakes the one from v[k].
                var p = v[k];
                var s = (f[q] + w * q * q - (f[p] + w * p * p)) / (2 * w * (q - p));
                if (s <= z[k])
                {
                    k--;
                    continue;
                }
                k++;
                v[k] = q;
                z[k] = s;
                z[k + 1] = double.PositiveInfinity;
                break;
            }
        }
        if (k < 0)
        {
            Array.Fill(output, double.PositiveInfinity, 0, n);
            return;
        }
        var j = 0;
        for (var q = 0; q < n; q++)
        {
            while (z[j + 1] < q) j++;
            var dq = q - v[j];
            output[q] = w * dq * dq + f[v[j]];
        }
    }
}
