using Nachos.Shared.Spec;
using Nachos.Training.Explain;
using Nachos.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class GradCamTests
{
    // Reference/grad_cam.py: inputs, weights and the expected maps.
    private static readonly float[] Input =
    [
        0.63f, 0.9f, 0.78f, 0.23f, 0.3f, 0.87f, 0.01f, 0.82f, 0.8f, 0.47f, 0.3f, 0.28f, 0.25f, 0.45f, 0.5f, 0.55f, 1, 0.79f,
        0.62f, 0.99f, 0.22f, 0.16f, 0.61f, 0.04f, 0.04f, 0.51f, 0.47f, 0.92f, 0.63f, 0.51f, 0.5f, 0.25f, 0.01f, 0.19f, 0.69f, 0.2f,
        0.37f, 0, 0.83f, 0.15f, 0.27f, 0.88f, 0.51f, 0.85f, 0.64f, 0.74f, 0.09f, 0.54f, 0.51f, 0.87f, 0.36f, 0.6f, 0.06f, 0.39f,
        0.32f, 0.15f, 0.82f, 0.38f, 0.98f, 0.59f, 0.61f, 0.64f, 0.68f, 0.15f, 0.44f, 0.24f, 0.4f, 0.1f, 0.97f, 0.22f, 0.67f, 0.3f,
    ];

    private static readonly float[] ConvWeight = [0.75f, 0.32f, -0.74f, 0.69f, 0.89f, 0.81f, 0.14f, -0.71f, -0.62f, 0.86f, 0.1f, -0.64f, 0.77f, 0.28f, 0.14f, -0.25f, -0.18f, -0.52f];

    private static readonly float[] HeadWeight =
    [
        -0.92f, 0.75f, -0.06f, 0.1f, -0.36f, 0.5f, -0.95f, -0.26f, -0.94f, -0.75f, 0.93f, 0.32f, -0.14f, 0.05f, 0.75f, -0.31f, 0.18f, 0.37f,
        -0.29f, 0.04f, 0.53f, 0.82f, -0.7f, 0.87f, -0.99f, 0.51f, 0.62f, -0.73f, -0.16f, 0.63f, -0.97f, 0.26f, 0.59f, 0.03f, 0.45f, -0.55f,
        -0.6f, -0.27f, -0.64f, -0.31f, 0.9f, 0.15f, -0.32f, -0.46f, 0.9f, -0.11f, 0.96f, 0.03f, 0.04f, 0.79f, 0.49f, 0.16f, -0.15f, 0.76f,
    ];

    private static readonly double[] ExpectedImage0Class2 =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0.062973139, 0.188919418, 0.250000000, 0.246214885, 0.244322328, 0, 0.188919418, 0.566758254, 0.750000000, 0.738644656, 0.732966984,
        0, 0.251892557, 0.755677672, 1.000000000, 0.984859541, 0.977289312,
    ];

    private static readonly double[] ExpectedImage1Class0 =
    [
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0.083333333, 0.250000000, 0.333333333, 0, 0, 0, 0.250000000, 0.750000000, 1.000000000,
        0, 0, 0, 0.250000000, 0.750000000, 1.000000000, 0, 0, 0, 0.083333333, 0.250000000, 0.333333333, 0, 0, 0, 0, 0, 0,
    ];

    /// <summary>Conv 3×3 stride 2 (1 → 2 channels) + ReLU as the last block; logits = W · tanh(flatten(A)) + b.</summary>
    private sealed class TinyNetwork : nn.Module<Tensor, Tensor>, IConvClassifier
    {
        private readonly Conv2d conv;
        private readonly Linear head;

        public TinyNetwork() : base(nameof(TinyNetwork))
        {
            conv = nn.Conv2d(1, 2, 3, stride: 2, padding: 1);
            head = nn.Linear(18, 3);
            RegisterComponents();
            using var _ = no_grad();
            conv.weight!.copy_(tensor(ConvWeight, [2, 1, 3, 3]));
            conv.bias!.copy_(tensor(new[] { 0.1f, -0.05f }));
            head.weight!.copy_(tensor(HeadWeight, [3, 18]));
            head.bias!.copy_(tensor(new[] { 0.2f, -0.1f, 0f }));
        }

        public override Tensor forward(Tensor x) => Classify(LastConvActivation(x));
        public Tensor LastConvActivation(Tensor input) => nn.functional.relu(conv.forward(input));
        public Tensor Classify(Tensor activation) => head.forward(tanh(Penultimate(activation)));
        public Tensor Penultimate(Tensor activation) => activation.flatten(1);
    }

    [Fact]
    public void A_constructed_network_gives_the_hand_computed_map()
    {
        using var model = new TinyNetwork();
        using var x = tensor(Input, [2, 1, 6, 6]);
        var maps = GradCam.Compute(model, x, [2, 0]);
        Assert.Equal(2, maps.Length);
        AssertClose(ExpectedImage0Class2, maps[0]);
        AssertClose(ExpectedImage1Class0, maps[1]);
    }

    [Fact]
    public void The_map_depends_on_the_class_and_a_model_without_a_split_is_refused()
    {
        using var model = new TinyNetwork();
        using var x = tensor(Input, [2, 1, 6, 6]);
        Assert.NotEqual(GradCam.Compute(model, x, [2, 0])[0], GradCam.Compute(model, x, [0, 0])[0]);
        Assert.Throws<ArgumentException>(() => GradCam.Compute(model, x, [3, 0]));
        Assert.Throws<ArgumentException>(() => GradCam.Compute(model, x, [0]));
        using var unet = ModelFactory.CreateUNet(new ImageSpec(8, 8, 1), 2, 2, 0.125, false, 1);
        using var y = zeros(1, 1, 8, 8);
        Assert.Contains("last convolutional block", Assert.Throws<ArgumentException>(() => GradCam.Compute(unet, y, [0])).Message);
    }

    [Theory]
    [InlineData(Architecture.SimpleCnn, 0)]
    [InlineData(Architecture.SimpleCnn, 2)]
    [InlineData(Architecture.ResNet18, 0)]
    [InlineData(Architecture.ResNet50, 0)]
    public void The_split_networks_compute_what_forward_computes(Architecture architecture, int shallower)
    {
        using var model = ModelFactory.Create(new ModelSpec(architecture, 0.25, null, Shallower: shallower), new ImageSpec(32, 32, 2), 3, 4);
        model.eval();
        using var _ = no_grad();
        using var x = randn([3, 2, 32, 32], generator: new Generator(2));
        using var expected = model.forward(x);
        var network = (IConvClassifier)model;
        using var activation = network.LastConvActivation(x);
        Assert.Equal(4, activation.dim());
        using var logits = network.Classify(activation);
        using var features = network.Penultimate(activation);
        Assert.Equal([3L, activation.shape[1]], features.shape);
        Assert.True(allclose(expected, logits, rtol: 1e-5, atol: 1e-6), "Classify(LastConvActivation(x)) differs from forward(x)");
    }

    [Fact]
    public void A_model_that_learned_to_find_a_blob_looks_at_its_quadrant()
    {
        // Label 1: a bright blob somewhere inside one quadrant (drawn at random); label 0: noise alone.
        const int size = 16;
        var (trainX, trainY, _) = BlobImages(240, size, new Random(1));
        var (testX, testY, quadrants) = BlobImages(80, size, new Random(2));
        using var model = ModelFactory.Create(new ModelSpec(Architecture.SimpleCnn, 0.5, null, Shallower: 1), new ImageSpec(size, size, 1), 2, 3);
        using (var optimizer = optim.Adam(model.parameters(), lr: 0.01))
        using (var xs = tensor(trainX, [trainY.Length, 1, size, size]))
        using (var ys = tensor(trainY.Select(l => (long)l).ToArray()))
        {
            model.train();
            for (var epoch = 0; epoch < 5; epoch++)
                for (var start = 0; start < trainY.Length; start += 24)
                    using (NewDisposeScope())
                    {
                        optimizer.zero_grad();
                        var loss = nn.functional.cross_entropy(model.forward(xs.narrow(0, start, 24)), ys.narrow(0, start, 24));
                        loss.backward();
                        optimizer.step();
                    }
        }
        model.eval();
        using var test = tensor(testX, [testY.Length, 1, size, size]);
        using (no_grad())
        using (var predicted = model.forward(test).argmax(1))
        {
            var correct = predicted.data<long>().ToArray().Zip(testY).Count(p => p.First == p.Second);
            Assert.True(correct >= 0.9 * testY.Length, $"the model should have learned the task: {correct} of {testY.Length} correct");
        }
        var positives = Enumerable.Range(0, testY.Length).Where(i => testY[i] == 1).ToArray();
        var maps = GradCam.Compute(model, test, [.. testY]);
        var inQuadrant = positives.Count(i =>
        {
            var peak = Array.IndexOf(maps[i], maps[i].Max());
            return Quadrant(peak / size, peak % size, size) == quadrants[i];
        });
        Assert.True(inQuadrant >= 0.8 * positives.Length, $"Grad-CAM peaks in the blob's quadrant for {inQuadrant} of {positives.Length} positive cases");
    }

    private static int Quadrant(int y, int x, int size) => (y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1);

    /// <summary>Noise in [0, 0.3]; every second image (label 1) with a 3×3 blob of 1s at a random place inside a random quadrant (−1: none).</summary>
    private static (float[] Images, int[] Labels, int[] Quadrants) BlobImages(int count, int size, Random rng)
    {
        var images = new float[count * size * size];
        var labels = new int[count];
        var quadrants = new int[count];
        var half = size / 2;
        for (var n = 0; n < count; n++)
        {
            var image = images.AsSpan(n * size * size, size * size);
            for (var i = 0; i < image.Length; i++) image[i] = (float)(0.3 * rng.NextDouble());
            labels[n] = n % 2;
            quadrants[n] = labels[n] == 1 ? rng.Next(4) : -1;
            if (labels[n] == 0) continue;
            var (top, left) = (quadrants[n] / 2 * half + rng.Next(half - 2), quadrants[n] % 2 * half + rng.Next(half - 2));
            for (var y = top; y < top + 3; y++)
                for (var x = left; x < left + 3; x++)
                    image[y * size + x] = 1;
        }
        return (images, labels, quadrants);
    }

    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) < 1e-5, $"pixel {i}: expected {expected[i]}, got {actual[i]}");
    }
}
