namespace Nachos.Training.Data;

/// <summary>Per-channel mean and standard deviation, computed from the training split only.</summary>
public sealed record Normalization(float[] Mean, float[] Std)
{
    public static Normalization FromTraining(LoadedDataset data, IReadOnlyList<string> trainIds)
    {
        var c = data.Image.Channels;
        var plane = data.Image.Height * data.Image.Width;
        var sum = new double[c];
        var sq = new double[c];
        foreach (var id in trainIds)
        {
            var img = data.Images[id];
            for (var k = 0; k < c; k++)
                for (var i = 0; i < plane; i++)
                {
                    double v = img[k * plane + i];
                    sum[k] += v;
                    sq[k] += v * v;
                }
        }
        var n = (double)trainIds.Count * plane;
        var mean = sum.Select(s => (float)(s / n)).ToArray();
        var std = Enumerable.Range(0, c).Select(k => (float)Math.Sqrt(Math.Max(sq[k] / n - mean[k] * (double)mean[k], 1e-12))).ToArray();
        return new Normalization(mean, std);
    }

    public void ApplyInPlace(Span<float> image, int plane)
    {
        for (var k = 0; k < Mean.Length; k++)
        {
            var s = image.Slice(k * plane, plane);
            var (m, inv) = (Mean[k], 1f / Std[k]);
            for (var i = 0; i < s.Length; i++) s[i] = (s[i] - m) * inv;
        }
    }
}
