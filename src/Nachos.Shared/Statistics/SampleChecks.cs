namespace Nachos.Shared.Statistics;

/// <summary>The argument checks every test makes: enough values, no NaN, paired samples of equal length.</summary>
internal static class SampleChecks
{
    public static void Require(IReadOnlyList<double> values, string name, int minimum, string test)
    {
        if (values.Count < minimum)
            throw new ArgumentException($"{test} needs at least {minimum} values in {name}; got {values.Count}", name);
        for (var i = 0; i < values.Count; i++)
            if (double.IsNaN(values[i])) throw new ArgumentException($"{test}: {name}[{i}] is NaN", name);
    }

    public static void RequirePaired(IReadOnlyList<double> x, IReadOnlyList<double> y, int minimum, string test)
    {
        if (x.Count != y.Count)
            throw new ArgumentException($"{test} needs paired samples of equal length; got {x.Count} and {y.Count}", nameof(y));
        Require(x, "x", minimum, test);
        Require(y, "y", minimum, test);
    }

    public static double[] Differences(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        var d = new double[x.Count];
        for (var i = 0; i < d.Length; i++) d[i] = x[i] - y[i];
        return d;
    }
}
