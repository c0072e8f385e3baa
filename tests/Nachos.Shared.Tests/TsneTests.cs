using Nachos.Shared.Projection;

namespace Nachos.Shared.Tests;

/// <summary><see cref="Tsne"/> against scikit-learn's exact t-SNE (Reference/tsne.py, scikit-learn 1.2.1).</summary>
public sealed class TsneTests
{
    private static readonly double[] SmallData =
    [
            -3, 3, 1, -1, -4, 2, -1, 3, -1, 1, -3, 0,
            -4, 2, -4, 2, 2, 0, 3, 1, 3, 2, 4, -4,
    ];

    private static readonly double[] RunData =
    [
            -1, -2, -2, -2, 2, 2, -2, 1, 2, 2, 2, 1, 2, 2, -1,
            -1, 1, 1, 0, -2, -2, 2, 0, 1, -1, -2, 2, -2, 2, -2,
            -2, 2, -2, 1, 1, -1, -2, 1, 1, 1, 2, 1, -1, 2, 1,
            2, -2, 0, 1, -2, 9, -1, 3, -2, 2, 9, 2, 5, -2, -1,
            7, 2, 6, -1, 2, 8, 1, 4, 2, 2, 8, 2, 2, -2, -2,
            10, 2, 3, 0, 2, 9, 1, 2, -2, -1, 6, 2, 6, -1, -2,
            10, -2, 6, 2, -2, 9, 2, 4, 2, 0, -1, 9, -1, -6, 3,
            -2, 9, -1, -5, 2, -1, 9, -2, -7, 2, 1, 8, 2, -4, 4,
            2, 9, -1, -7, 1, -2, 8, -1, -7, 4, -1, 8, -1, -7, 1,
            -2, 7, 1, -8, 3, -2, 7, 0, -7, 3, -2, 9, -2, -4, 2,
    ];

    private static readonly double[] RunStart =
    [
            5.528e-05, 0.00013713, 1.298e-05, 0.00014476, -5.942e-05, -2.338e-05, -0.00014872, 8.219e-05,
            -0.00010326, -0.00010325, 8.421e-05, -5.327e-05, -7.531e-05, 9.53e-05, -1.843e-05, 9.203e-05,
            -4.027e-05, 7.267e-05, 0.00010785, 8.23e-06, 0.0001799, -3.961e-05, -2.117e-05, 7.94e-06,
            0.00010055, -2.876e-05, -4.366e-05, 2.537e-05, 0.00012498, -4.166e-05, -0.00012777, -1.309e-05,
            6.238e-05, -5.428e-05, 1.242e-05, -0.0001869, 2.13e-06, 1.027e-05, 6.225e-05, 3.093e-05,
            7.718e-05, -9.944e-05, 6.603e-05, -0.00016513, -5.969e-05, 0.00011059, 8.512e-05, -0.0001853,
            5.884e-05, -4.308e-05, -7.779e-05, 2.045e-05, 1.289e-05, 0.00013943, -0.0001442, -4.284e-05,
            -1.425e-05, -0.00018406, 0.00011731, 0.00017561,
    ];

    private static IReadOnlyList<IReadOnlyList<double>> Rows(double[] flat, int columns) =>
        [.. flat.Chunk(columns).Select(r => (IReadOnlyList<double>)r)];

    private static double[][] Pairs(double[] flat) => [.. flat.Chunk(2)];

    private static void Close(double[] expected, IEnumerable<double> actual, double tolerance)
    {
        var a = actual.ToArray();
        Assert.Equal(expected.Length, a.Length);
        for (var i = 0; i < a.Length; i++) Assert.True(Math.Abs(expected[i] - a[i]) <= tolerance, $"value {i}: expected {expected[i]}, got {a[i]}");
    }

    [Fact]
    public void The_perplexity_search_gives_scikit_learns_conditional_probabilities()
    {
        var p = Tsne.ConditionalProbabilities(Tsne.SquaredDistances(Rows(SmallData, 3)), 3);
        Close(
        [
            0, 0.013094630615812123, 0.66287939283317732, 0.014260808534486474,
            0.1310591881686641, 0.1310591881686641, 0.030732806595013654, 0.016913985084182181,
            0.059675747573862292, 0, 0.048051337391868301, 0.68286875094725574,
            0.013825289865611202, 0.078237209842554167, 0.11430758089832707, 0.003034083480521347,
            0.54159558856640677, 5.3693715964578052e-05, 0, 0.0012336700587978185,
            0.071260645774992859, 0.3114942389354256, 0.0031015171734194973, 0.071260645774992859,
            0.016752438810411253, 0.64611113309000201, 0.045361352975528346, 0,
            0.0056940256310624767, 0.15755999150819089, 0.12282703235374245, 0.0056940256310624767,
            0.28850176877501355, 0.0031147122231190393, 0.56430769111729562, 0.010958016995175986,
            0, 0.035450721297840437, 0.00068840034007659225, 0.096978689251478789,
            0.020565616390665179, 0.00030683587232861232, 0.43783762089847011, 0.024897310739947429,
            0.00017293145865236696, 0, 0.43783762089847011, 0.078382063741466168,
            0.042169163636268735, 0.049843466048429541, 0.082309123571198212, 0.14777274590888215,
            0.00042474735430729222, 0.66544715181204561, 0, 0.01203360166886853,
            0.026675370031910711, 0.00015261317781487625, 0.46064036630772198, 0.007016956641429979,
            0.071025724021869893, 0.42140325150251901, 0.013085718316733564, 0,
        ], p.SelectMany(r => r), 1e-9);
        Assert.All(p, row => Assert.Equal(1, row.Sum(), 12));
    }

    [Fact]
    public void The_joint_probabilities_are_scikit_learns()
    {
        Close(
        [
            0.0045481486368546516, 0.075279686337474019, 0.0019383279590561083, 0.026222559808979858,
            0.0094765502849580817, 0.0045563731394551504, 0.0027243346947558064, 0.0030065644442395555,
            0.083061242752328623, 0.0010587501305456403, 0.0049090028571801749, 0.01025944043417229,
            0.00019916854114601399, 0.0029121889396453858, 0.039723021055768033, 0.046833241239618489,
            0.0053381650465386078, 0.033243813255169681, 0.0010407526641399041, 0.011403581390508647,
            0.016912486141414041, 0.00079443639203077854, 0.0022264782972808007, 6.9571730898992793e-05,
            0.010500275829584295, 0.068955298294407247, 0.031236582202749077, 0.0015699574991001311,
        ], Tsne.JointProbabilities(Tsne.SquaredDistances(Rows(SmallData, 3)), 3), 1e-9);
    }

    [Fact]
    public void The_kl_divergence_and_its_gradient_at_an_embedding_are_scikit_learns()
    {
        var p = Tsne.JointProbabilities(Tsne.SquaredDistances(Rows(SmallData, 3)), 3);
        var (kl, gradient) = Tsne.KlDivergence(p, Pairs(
        [
            0.374, 2.74, -0.114, 0.114, -0.512, 0.335, -2.127, -0.647,
            1.694, 0.211, -0.24, 0.373, 0.415, 0.152, 0.579, -1.66,
        ]));
        Assert.True(Math.Abs(0.94635606063351496 - kl) <= 1e-9, $"KL {kl}");
        Close(
        [
            0.019128407182005255, 0.098725103852631571, 0.10914697531937538, 0.11230296395911005,
            0.017973403901061651, -0.10533177882104822, -0.091377241612228405, -0.035213773616098343,
            -0.031037934992463143, -0.026631172982773014, -0.029435511765313702, -0.0067409065475332042,
            -0.0064420448632224944, -0.021513886541307346, 0.012043946830785482, -0.015596549302981468,
        ], gradient.SelectMany(g => g), 1e-9);
    }

    [Fact]
    public void Ten_exaggerated_steps_from_the_start_follow_scikit_learns_optimizer()
    {
        // Only a few steps: the first steps multiply the start ~10^5-fold, and a 1e-15 change of the start moves
        // scikit-learn's own points by their whole scale within 50 steps, so no implementation that sums in
        // another order can follow it further.
        var p = Tsne.JointProbabilities(Tsne.SquaredDistances(Rows(RunData, 5)), 5);
        for (var k = 0; k < p.Length; k++) p[k] *= 12;
        var y = (double[])RunStart.Clone();
        var (error, last) = new Tsne.Descent(p, y, 50, 1e-7).Run(0, 10, 0.5, 250);
        Close(
        [
            -1.728899642066576, 0.4570121573163413, -3.8102182435935052, -11.702691509273379,
            6.4565666075002035, 14.381792474944, 10.72017079726248, -24.281978496155315,
            6.401389223340816, 31.683986111337184, -21.650806440117787, 4.24780915078578,
            9.997873894316198, -21.2602537360304, 10.00836432468379, 12.957701867841411,
            -2.2859237029840327, -6.149005932580315, -12.291566614718093, 6.141702675673398,
            -13.02081490945867, -1.83228577316565, 23.040606352768023, -27.020346838894948,
            -10.493150250633638, 0.22404820779943282, 20.246234392255406, 2.252379880594671,
            -15.472830448165002, -2.6944968283399042, 19.53668171221344, 2.6176728412534427,
            3.3694667463269687, 5.658083549857949, 0.3660644664931849, 12.596141985755574,
            9.304301595059123, 3.3883178726747696, -34.71646555300236, -5.111844452722427,
            -27.353201282708838, 21.368279694146075, 11.267866084110047, 27.085955754579125,
            22.506462622174006, -12.847739242266542, 8.186362498179447, -14.80239945353782,
            -3.0922942873384094, 6.0104452756242015, 6.219325471065826, -2.156282563753672,
            -8.009425278179364, -14.847359565959717, 1.5648556757352232, -23.488755380669726,
            -13.029857557441112, 24.844818111401903, 0.9645426104252085, -15.013498780680495,
        ], y, 1e-9);
        Assert.True(Math.Abs(65.66901434308694 - error) <= 1e-9, $"KL {error}");
        Assert.Equal(9, last);
    }

    [Fact]
    public void Fifty_late_steps_near_a_minimum_follow_scikit_learns_optimizer_through_a_check()
    {
        var p = Tsne.JointProbabilities(Tsne.SquaredDistances(Rows(RunData, 5)), 5);
        double[] y =
        [
            103.25, -0.12, 100.7, 5.81, 94.92, 6.45, 92.2, 1.48,
            93.17, -1.26, 92.62, -4.28, 96.05, -3.22, 102.46, 3.51,
            97.24, 4.42, 97.48, 8.95, -58.68, 93.15, -57.52, 86.16,
            -53.13, 86.6, -51.66, 93.84, -61.29, 86.63, -54.67, 92.68,
            -60.13, 89.1, -55.82, 83.26, -46.72, 91.12, -50.69, 91.4,
            -23.51, -101.72, -20.17, -100.91, -22.68, -105.12, -25.04, -97.14,
            -22.06, -110.28, -27.29, -103.35, -20.39, -106.65, -31.69, -104.48,
            -30.11, -102.06, -17.37, -100.32,
        ];
        var (error, last) = new Tsne.Descent(p, y, 50, 1e-7).Run(250, 300, 0.8, 300);
        Close(
        [
            103.10010196477403, -0.00498138396826184, 100.59975589112433, 5.7321899709123665,
            94.99350302783414, 6.340102653817404, 92.3674681539638, 1.5074665740705555,
            93.3145062755437, -1.1432540278521823, 92.79431172637834, -4.0745627896623375,
            96.10622560247305, -3.0372203881768423, 102.30732287982427, 3.5188983334289166,
            97.24898974114409, 4.383506069348722, 97.4694401574504, 8.772665849858166,
            -58.58795555658148, 93.04826993014531, -57.426839382649106, 86.27030325117195,
            -53.170725462802636, 86.72300405391381, -51.779545091334406, 93.73535342405066,
            -61.086200869895436, 86.71309646809446, -54.692407926279614, 92.61667548739767,
            -59.97106388220532, 89.10872582346336, -55.76452302887463, 83.46828111339828,
            -46.97236407407005, 91.13333543688907, -50.82468876352435, 91.38968546275244,
            -23.518200189562307, -101.81430952359989, -20.269940717053103, -101.03955717941939,
            -22.719951013415095, -105.11109045102368, -24.98295992618416, -97.3623172374185,
            -22.13478650438975, -110.12193097647096, -27.186658057490945, -103.37396054121403,
            -20.518164081944626, -106.6145624342299, -31.45881242659224, -104.46444132889367,
            -29.91498367315031, -102.1350147084926, -17.564638292628402, -100.4777941151189,
        ], y, 1e-9);
        Assert.True(Math.Abs(0.07868452318895079 - error) <= 1e-9, $"KL {error}");
        Assert.Equal(299, last);
    }

    /// <summary>scikit-learn's embedding of <see cref="RunData"/> from <see cref="RunStart"/> (1,000 iterations).</summary>
    private static readonly double[] ScikitLearnRun =
    [
            103.24971199733253, -0.12392586862764908, 100.70084411783415, 5.8081372464547698,
            94.919193272762584, 6.4498421356229017, 92.198751002880257, 1.4814766017748942,
            93.171641412472979, -1.2585041005369195, 92.624712036374703, -4.2829096747680353,
            96.045066325699793, -3.2195271354248098, 102.45505247717334, 3.5141494929523382,
            97.241985016433119, 4.4234137067603889, 97.482973703523285, 8.950752876866332,
            -58.681335326138139, 93.152469172546375, -57.518566313424685, 86.161556327244682,
            -53.130160289707263, 86.601063797873977, -51.658019328228306, 93.835131821943463,
            -61.292213605127536, 86.629427707435369, -54.668007340141585, 92.681915209672255,
            -60.125419124605187, 89.100910234733703, -55.821419648007968, 83.260046601083843,
            -46.722069899150085, 91.115415297618412, -50.692979086454862, 91.400925297969422,
            -23.514346917131157, -101.72258430164142, -20.165941321030953, -100.91066450251022,
            -22.678932090290747, -105.11941244171796, -25.036999964121385, -97.142439021386608,
            -22.055529509669775, -110.27537498540985, -27.289059500338752, -103.3468954053554,
            -20.389885294856153, -106.65396939779801, -31.691717321621308, -104.47720361270879,
            -30.106369013355, -102.06426460664187, -17.372705379061141, -100.32059237630904,
    ];

    [Fact]
    public void The_test_s_trustworthiness_is_scikit_learns()
    {
        Assert.Equal(0.97999999999999998, Trustworthiness(Rows(RunData, 5), Pairs(ScikitLearnRun), 5), 12);
    }

    [Fact]
    public void A_whole_run_is_as_good_a_map_as_scikit_learns()
    {
        // Not the same points: t-SNE's descent is chaotic here (see above; scikit-learn's own final KL ranges over
        // 0.070–0.112 when its start is changed by 1e-14 relative), so the run is judged by what it reaches.
        var fit = Tsne.Fit(Rows(RunData, 5), Pairs(RunStart), new TsneOptions(Perplexity: 5, LearningRate: 50, Iterations: 1000));
        Assert.True(Math.Abs(0.078713457948610122 - fit.KlDivergence) <= 0.01, $"KL {fit.KlDivergence}, scikit-learn 0.0787");
        var trust = Trustworthiness(Rows(RunData, 5), fit.Embedding, 5);
        Assert.True(Math.Abs(0.98 - trust) <= 0.02, $"trustworthiness {trust}, scikit-learn 0.98");
        Assert.Equal(999, fit.LastIteration);
        // The three clusters (10 rows each) stay apart: each point's nearest neighbour in the map is in its cluster.
        for (var i = 0; i < 30; i++)
        {
            var nearest = Enumerable.Range(0, 30).Where(j => j != i)
                .MinBy(j => Math.Pow(fit.Embedding[i][0] - fit.Embedding[j][0], 2) + Math.Pow(fit.Embedding[i][1] - fit.Embedding[j][1], 2));
            Assert.Equal(i / 10, nearest / 10);
        }
    }

    [Fact]
    public void The_pca_start_is_the_pca_scores_scaled_to_a_first_column_of_standard_deviation_1e_4()
    {
        var rows = Rows(RunData, 5);
        var start = Tsne.PcaStart(rows);
        var scores = Pca.Fit(rows, 2).Scores;
        var first = start.Select(r => r[0]).ToArray();
        var mean = first.Average();
        Assert.Equal(1e-4, Math.Sqrt(first.Sum(v => (v - mean) * (v - mean)) / first.Length), 15);
        var scale = start[0][0] / scores[0][0];
        for (var i = 0; i < 30; i++)
        {
            Assert.Equal(scores[i][0] * scale, start[i][0], 15);
            Assert.Equal(scores[i][1] * scale, start[i][1], 15);
        }
        // Deterministic: no random draw anywhere.
        var a = Tsne.Fit(rows, new TsneOptions(Perplexity: 5));
        var b = Tsne.Fit(rows, new TsneOptions(Perplexity: 5));
        Assert.Equal(a.Embedding.SelectMany(r => r), b.Embedding.SelectMany(r => r));
    }

    [Fact]
    public void Duplicates_land_together_and_a_constant_feature_changes_nothing()
    {
        var rows = Rows(RunData, 5).Take(12).ToList();
        rows.Add(rows[3]); // a duplicate of row 3
        var start = Pairs(RunStart).Take(12).Append(RunStart.Skip(6).Take(2).ToArray()).ToArray();
        var fit = Tsne.Fit(rows, start, new TsneOptions(Perplexity: 3));
        Assert.Equal(fit.Embedding[3], fit.Embedding[12]);
        Assert.All(fit.Embedding.SelectMany(r => r), v => Assert.True(double.IsFinite(v)));

        var widened = rows.Select(r => (IReadOnlyList<double>)[.. r, 7.5]).ToList();
        var same = Tsne.Fit(widened, start, new TsneOptions(Perplexity: 3));
        Assert.Equal(fit.Embedding.SelectMany(r => r), same.Embedding.SelectMany(r => r));
    }

    [Fact]
    public void Tiny_and_degenerate_inputs_give_a_finite_map_or_a_clear_error()
    {
        foreach (var n in new[] { 2, 3 })
        {
            var rows = Rows(SmallData, 3).Take(n).ToList();
            var fit = Tsne.Fit(rows, new TsneOptions(Perplexity: Tsne.DefaultPerplexity(n)));
            Assert.Equal(n, fit.Embedding.Length);
            Assert.All(fit.Embedding.SelectMany(r => r), v => Assert.True(double.IsFinite(v)));
        }
        // All rows alike: uniform affinities, every point stays at the origin.
        var alike = Enumerable.Repeat((IReadOnlyList<double>)[1.0, 2.0], 5).ToList();
        Assert.All(Tsne.Fit(alike, new TsneOptions(Perplexity: 2)).Embedding.SelectMany(r => r), v => Assert.Equal(0, v));
        // One feature: the map is a line.
        var line = Enumerable.Range(0, 6).Select(i => (IReadOnlyList<double>)[i * i * 1.0]).ToList();
        Assert.All(Tsne.Fit(line, new TsneOptions(Perplexity: 2)).Embedding, r => Assert.Equal(0, r[1]));

        var three = Rows(SmallData, 3).Take(3).ToList();
        Assert.Contains("less than the number of rows (3); got 3", Assert.Throws<ArgumentException>(() => Tsne.Fit(three, new TsneOptions(Perplexity: 3))).Message);
        Assert.Contains("at least 2 rows; got 1", Assert.Throws<ArgumentException>(() => Tsne.Fit(three.Take(1).ToList(), new TsneOptions(Perplexity: 0.5))).Message);
        Assert.Contains("more than 250 iterations", Assert.Throws<ArgumentException>(() => Tsne.Fit(Rows(SmallData, 3), new TsneOptions(Perplexity: 3, Iterations: 250))).Message);
        Assert.Throws<ArgumentException>(() => Tsne.Fit([[1, 2], [3, double.NaN], [0, 0]], new TsneOptions(Perplexity: 1)));
        Assert.Equal(30, Tsne.DefaultPerplexity(1000));
        Assert.Equal(10, Tsne.DefaultPerplexity(31));
        Assert.Equal(1, Tsne.DefaultPerplexity(3));
    }

    /// <summary>scikit-learn's <c>trustworthiness</c> (Euclidean; input-space ties ranked by index).</summary>
    private static double Trustworthiness(IReadOnlyList<IReadOnlyList<double>> x, double[][] embedded, int k)
    {
        var n = x.Count;
        var dx = Tsne.SquaredDistances(x);
        var de = Tsne.SquaredDistances([.. embedded.Select(r => (IReadOnlyList<double>)r)]);
        double t = 0;
        for (var i = 0; i < n; i++)
        {
            var byInput = Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => dx[i][j]).ThenBy(j => j).ToList();
            foreach (var j in Enumerable.Range(0, n).Where(j => j != i).OrderBy(j => de[i][j]).ThenBy(j => j).Take(k))
                t += Math.Max(0, byInput.IndexOf(j) + 1 - k);
        }
        return 1 - t * (2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)));
    }
}
