using Keras.Errors;
using Keras.Layers;
using TorchSharp;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>MultiHeadAttention, with Keras' flash-attention rule (keras-reference.md §1.5).</summary>
public class MultiHeadAttentionTests : KerasTestBase
{
    [Fact]
    public void Self_and_cross_attention_shapes_and_kerass_weight_layout()
    {
        var mha = new MultiHeadAttention(numHeads: 2, keyDim: 4);
        using var query = torch.rand(3, 5, 8);
        using var value = torch.rand(3, 7, 6);
        using var cross = mha.Call(query, value);
        Assert.Equal(new long[] { 3, 5, 8 }, cross.shape);
        Assert.Equal(new long[] { 8, 2, 4 }, mha.Weights[0].Shape);  // query kernel (features, heads, key_dim)
        Assert.Equal(new long[] { 6, 2, 4 }, mha.Weights[1].Shape);  // key kernel from the value's features
        Assert.Equal(new long[] { 2, 4, 8 }, mha.Weights[3].Shape);  // output kernel (heads, value_dim, features)

        var self = new MultiHeadAttention(numHeads: 2, keyDim: 3, outputShape: 5);
        using var y = self.Call(query);
        Assert.Equal(new long[] { 3, 5, 5 }, y.shape);
    }

    [Fact]
    public void The_fused_path_and_the_plain_path_agree()
    {
        var auto = new MultiHeadAttention(numHeads: 2, keyDim: 4);
        using var x = torch.rand(2, 6, 8);
        using var fused = auto.Call(x);
        Config.DisableFlashAttention();
        var plain = new MultiHeadAttention(numHeads: 2, keyDim: 4);
        Assert.False(plain.FlashAttention);
        plain.Build(new long[] { -1, 6, 8 });
        for (int i = 0; i < auto.Weights.Count; i++) plain.Weights[i].Assign(auto.Weights[i].Value);
        using var manual = plain.Call(x);
        Assert.True(fused.allclose(manual, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void Flash_attention_with_dropout_is_an_error_as_in_keras()
    {
        var e = Assert.Throws<KerasArgumentException>(() => new MultiHeadAttention(2, 4, dropout: 0.1, flashAttention: true));
        Assert.StartsWith("Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to use flash attention.", e.Message);
        // auto (the default) and an explicit false fall through to the global setting: dropout is allowed
        Assert.Null(new MultiHeadAttention(2, 4, dropout: 0.1).FlashAttention);
        Assert.Null(new MultiHeadAttention(2, 4, dropout: 0.1, flashAttention: false).FlashAttention);
    }

    [Fact]
    public void Dropout_applies_only_in_training()
    {
        var mha = new MultiHeadAttention(numHeads: 1, keyDim: 4, dropout: 0.5);
        using var x = torch.rand(2, 6, 4);
        using var a = mha.Call(x, training: false);
        using var b = mha.Call(x, training: false);
        using var c = mha.Call(x, training: true);
        Assert.True(a.allclose(b));
        Assert.False(a.allclose(c));
    }
}
