using Keras.Errors;
using Keras.Layers;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>Dtype policies, pinned to keras-reference.md §3 and keras/src/dtype_policies/dtype_policy_test.py.</summary>
public class DTypePolicyTests : KerasTestBase
{
    [Fact]
    public void Default_global_policy_is_named_after_floatx()
    {
        Assert.Equal("float32", Config.DtypePolicy().Name);
        Assert.Equal("float32", Config.DtypePolicy().ComputeDtype);
        Assert.Equal("float32", Config.DtypePolicy().VariableDtype);
    }

    [Theory]
    [InlineData("mixed_float16", "float16", "float32")]
    [InlineData("mixed_bfloat16", "bfloat16", "float32")]
    [InlineData("float64", "float64", "float64")]
    [InlineData("uint8", "uint8", "uint8")]
    [InlineData("float", "float32", "float32")]
    public void Policy_names_map_to_compute_and_variable_dtypes(string name, string compute, string variable)
    {
        var policy = new DTypePolicy(name);
        Assert.Equal(name, policy.Name);
        Assert.Equal(compute, policy.ComputeDtype);
        Assert.Equal(variable, policy.VariableDtype);
        Assert.Null(policy.QuantizationMode);
    }

    [Fact]
    public void Invalid_names_cannot_be_converted()
    {
        var e = Assert.Throws<KerasArgumentException>(() => new DTypePolicy("invalid_name"));
        Assert.StartsWith("Cannot convert 'invalid_name' to a mixed precision DTypePolicy. Valid policies include 'mixed_float16', 'mixed_bfloat16'", e.Message);
        Assert.Contains("Cannot convert", Assert.Throws<KerasArgumentException>(() => new DTypePolicy("mixed_bfloat15")).Message);
    }

    [Fact]
    public void Repr_and_equality_follow_keras()
    {
        Assert.Equal("<DTypePolicy \"mixed_float16\">", new DTypePolicy("mixed_float16").ToString());
        Assert.Equal(new DTypePolicy("mixed_float16"), new DTypePolicy("mixed_float16"));
        Assert.NotEqual(new DTypePolicy("float32"), new DTypePolicy("float64"));
        Assert.False(new DTypePolicy("float32").Equals("float32"));
        Assert.Equal("mixed_float16", new DTypePolicy("mixed_float16").GetConfigName());
    }

    [Theory]
    [InlineData("float32")]
    [InlineData("float16")]
    [InlineData("bfloat16")]
    [InlineData("mixed_float16")]
    [InlineData("mixed_bfloat16")]
    public void A_policy_without_name_takes_the_global_policy_name(string global)
    {
        Config.SetDtypePolicy(global);
        Assert.Equal(global, new DTypePolicy().Name);
    }

    [Fact]
    public void SetDtypePolicy_accepts_an_instance_and_rejects_null()
    {
        Config.SetDtypePolicy(new DTypePolicy("mixed_bfloat16"));
        Assert.Equal("mixed_bfloat16", Config.DtypePolicy().Name);
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetDtypePolicy((string)null!));
        Assert.StartsWith("Invalid `policy` argument.", e.Message);
    }

    [Fact]
    public void Quantized_policies_are_rejected_with_what_to_use_instead()
    {
        var e = Assert.Throws<KerasArgumentException>(() => Config.SetDtypePolicy("int8_from_mixed_bfloat16"));
        Assert.Contains("not supported", e.Message);
    }

    [Fact]
    public void The_global_policy_is_cached_so_set_floatx_after_first_read_applies_only_after_clear_session()
    {
        Assert.Equal("float32", Config.DtypePolicy().Name); // first read caches it
        Config.SetFloatx("float64");
        Assert.Equal("float32", Config.DtypePolicy().Name);
        Assert.Equal("float32", new Dense(2).DtypePolicy.Name);
        Utils.ClearSession();
        Assert.Equal("float64", Config.DtypePolicy().Name);
    }

    [Fact]
    public void Clear_session_discards_a_mixed_policy()
    {
        Config.SetDtypePolicy("mixed_float16");
        Utils.ClearSession();
        Assert.Equal("float32", Config.DtypePolicy().Name);
    }
}
