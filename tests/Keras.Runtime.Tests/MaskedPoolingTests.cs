using Keras.Layers;
using Keras.Models;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Keras' GlobalAveragePooling1D with a mask: the mean over the unmasked steps, and no mask on its output.</summary>
public class MaskedPoolingTests : KerasTestBase
{
    [Fact]
    public void GlobalAveragePooling1D_averages_only_the_unmasked_steps()
    {
        // (batch 2, steps 3, channels 2); sample 0 keeps steps 0 and 2, sample 1 keeps step 1.
        float[] values = { 1, 2, 10, 20, 3, 4, 5, 6, 7, 8, 9, 10 };
        using var x = torch.tensor(values).reshape(2, 3, 2);
        using var mask = torch.tensor(new[] { true, false, true, false, true, false }).reshape(2, 3);
        var (output, outputMask) = new GlobalAveragePooling1D().CallWithMask(x, mask);
        using var _ = output;
        Assert.Null(outputMask);
        var got = output.data<float>().ToArray();
        Assert.Equal(new[] { (1 + 3) / 2f, (2 + 4) / 2f, 7f, 8f }, got);
    }

    [Fact]
    public void GlobalAveragePooling1D_with_channels_first_takes_the_mask_over_the_last_axis()
    {
        // (batch 1, channels 2, steps 3), keep steps 1 and 2.
        using var x = torch.tensor(new float[] { 1, 2, 4, 10, 20, 40 }).reshape(1, 2, 3);
        using var mask = torch.tensor(new[] { false, true, true }).reshape(1, 3);
        using var output = new GlobalAveragePooling1D(dataFormat: "channels_first", keepdims: true).Call(x, mask);
        Assert.Equal(new long[] { 1, 2, 1 }, output.shape);
        Assert.Equal(new[] { 3f, 30f }, output.data<float>().ToArray());
    }

    [Fact]
    public void An_embedding_with_mask_zero_feeds_GlobalAveragePooling1D_in_a_Sequential_model()
    {
        Utils.SetRandomSeed(2);
        var embedding = new Embedding(5, 2, maskZero: true);
        var model = new Sequential(new Layer[] { embedding, new GlobalAveragePooling1D() });
        using var ids = torch.tensor(new long[] { 3, 1, 0, 0 }).reshape(1, 4); // two padding steps
        using var output = model.Predict(ids);
        using var table = embedding.Weights[0].Value.detach();
        var t = table.data<float>().ToArray();
        Assert.Equal(new[] { (t[6] + t[2]) / 2, (t[7] + t[3]) / 2 }, output.data<float>().ToArray());
    }

    /// <summary>Two id sequences through Embedding(mask_zero) each, merged, then masked average pooling.</summary>
    private static (Functional Model, Embedding A, Embedding B) MergedModel(Func<KerasTensor, KerasTensor, KerasTensor> merge)
    {
        Utils.SetRandomSeed(7);
        var ia = new Input(new long[] { 4 }, dtype: "int64");
        var ib = new Input(new long[] { 4 }, dtype: "int64");
        var ea = new Embedding(6, 2, maskZero: true);
        var eb = new Embedding(6, 2, maskZero: true);
        var merged = merge(ea.Call(ia), eb.Call(ib));
        var model = new Functional(new[] { ia, ib }, new[] { new GlobalAveragePooling1D().Call(merged) });
        return (model, ea, eb);
    }

    [Fact]
    public void Merge_layers_keep_a_step_only_where_every_masked_input_keeps_it_as_Keras_Merge_compute_mask()
    {
        var (model, ea, eb) = MergedModel((a, b) => new Add().Call(a, b));
        long[] a = { 1, 2, 0, 3 }, b = { 4, 0, 0, 5 }; // both keep steps 0 and 3
        using var xa = torch.tensor(a).reshape(1, 4);
        using var xb = torch.tensor(b).reshape(1, 4);
        using var output = model.Predict(new[] { xa, xb })[0];
        var ta = ea.Weights[0].Value.detach().data<float>().ToArray();
        var tb = eb.Weights[0].Value.detach().data<float>().ToArray();
        var expected = new float[2];
        foreach (int t in new[] { 0, 3 })
            for (int f = 0; f < 2; f++) expected[f] += (ta[a[t] * 2 + f] + tb[b[t] * 2 + f]) / 2;
        var got = output.data<float>().ToArray();
        for (int f = 0; f < 2; f++) Assert.Equal(expected[f], got[f], 5);
    }

    [Fact]
    public void Concatenate_keeps_a_step_where_any_input_keeps_it_as_Keras_Concatenate_compute_mask()
    {
        var (model, ea, eb) = MergedModel((a, b) => new Concatenate(axis: -1).Call(a, b));
        long[] a = { 1, 0, 0, 3 }, b = { 0, 2, 0, 5 }; // kept where either keeps: steps 0, 1 and 3
        using var xa = torch.tensor(a).reshape(1, 4);
        using var xb = torch.tensor(b).reshape(1, 4);
        using var output = model.Predict(new[] { xa, xb })[0];
        var ta = ea.Weights[0].Value.detach().data<float>().ToArray();
        var tb = eb.Weights[0].Value.detach().data<float>().ToArray();
        var expected = new float[4];
        foreach (int t in new[] { 0, 1, 3 })
            for (int f = 0; f < 2; f++)
            {
                expected[f] += ta[a[t] * 2 + f] / 3;
                expected[2 + f] += tb[b[t] * 2 + f] / 3;
            }
        var got = output.data<float>().ToArray();
        for (int f = 0; f < 4; f++) Assert.Equal(expected[f], got[f], 5);
    }
}
