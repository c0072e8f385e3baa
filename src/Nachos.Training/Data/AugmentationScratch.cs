namespace Nachos.Training.Data;

/// <summary>
/// Working memory for the strong augmentation's filters and JPEG round trip, owned by one batch pipeline and used by one
/// image at a time. It grows on the first image (or a larger one) and is reused after that, like the pipeline's image
/// buffers, so a steady pass allocates nothing.
/// </summary>
public sealed class AugmentationScratch
{
    private float[] _buffer = [];

    public Span<float> Get(int length)
    {
        if (_buffer.Length < length) _buffer = new float[length];
        return _buffer.AsSpan(0, length);
    }
}
