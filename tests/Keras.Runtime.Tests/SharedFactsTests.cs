using Keras.Shared;
using Xunit;

namespace Keras.Runtime.Tests;

/// <summary>The single source of truth shared by Runtime, SourceGen and Analyzers: values, suggestions, JSON positions.</summary>
public class SharedFactsTests
{
    [Theory]
    [InlineData(1e-7, "1e-07")]
    [InlineData(1e-5, "1e-05")]
    [InlineData(0.001, "0.001")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(1.0, "1.0")]
    [InlineData(123.25, "123.25")]
    [InlineData(-2.5e-10, "-2.5e-10")]
    [InlineData(1e16, "1e+16")]
    [InlineData(1e15, "1000000000000000.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(double.NaN, "nan")]
    [InlineData(double.NegativeInfinity, "-inf")]
    public void Floats_print_as_python_repr(double value, string expected)
    {
        Assert.Equal(expected, KerasFacts.PythonFloat(value));
    }

    [Theory]
    [InlineData("flaot32", "float32")]
    [InlineData("Float64", "float64")]
    [InlineData("float61", "float16")]
    [InlineData("channel_last", "channels_last")]
    [InlineData("pytorch", "torch")]
    [InlineData("tensorflw", "tensorflow")]
    public void Did_you_mean_finds_near_misses(string value, string expected)
    {
        Assert.Equal(expected, KerasFacts.DidYouMean(value, KerasFacts.FloatxValues.Concat(KerasFacts.ImageDataFormats).Concat(KerasFacts.KerasBackends)));
    }

    [Theory]
    [InlineData("int32")]
    [InlineData("something_else")]
    [InlineData("")]
    public void Did_you_mean_stays_quiet_for_distant_values(string value)
    {
        Assert.Null(KerasFacts.DidYouMean(value, KerasFacts.FloatxValues));
    }

    [Fact]
    public void Epsilon_underflow_is_detected_per_float_type()
    {
        Assert.True(KerasFacts.UnderflowsIn(1e-8, "float16"));
        Assert.False(KerasFacts.UnderflowsIn(1e-7, "float16"));
        Assert.False(KerasFacts.UnderflowsIn(1e-8, "float32"));
        Assert.True(KerasFacts.UnderflowsIn(1e-46, "float32"));
    }

    [Fact]
    public void Legacy_image_dim_ordering_maps_to_image_data_format()
    {
        Assert.Equal("channels_first", KerasFacts.ImageDataFormatForLegacyOrdering("th"));
        Assert.Equal("channels_last", KerasFacts.ImageDataFormatForLegacyOrdering("tf"));
        Assert.Null(KerasFacts.ImageDataFormatForLegacyOrdering("xx"));
    }

    [Fact]
    public void The_reader_keeps_line_and_column_of_keys_and_values_with_bom_and_crlf()
    {
        string text = "\uFEFF{\r\n  \"floatx\": \"float16\",\r\n    \"epsilon\":1e-07\r\n}";
        var root = JsonPositionReader.Parse(text, out var error);
        Assert.Null(error);
        var members = root!.Members!;
        Assert.Equal(("floatx", 2, 3), (members[0].Name, members[0].Key.Start.Line, members[0].Key.Start.Column));
        Assert.Equal((2, 13), (members[0].Value.Start.Line, members[0].Value.Start.Column));
        Assert.Equal("\"float16\"", text.Substring(members[0].Value.Start.Offset, members[0].Value.Length));
        Assert.Equal((3, 15), (members[1].Value.Start.Line, members[1].Value.Start.Column));
        Assert.Equal("1e-07", members[1].Value.NumberText);
        Assert.True(members[1].Value.IsPythonFloat);
        Assert.Equal(3, JsonPositionReader.PositionAt(text, members[1].Value.Start.Offset).Line);
    }

    [Theory]
    [InlineData("{\"a\": 1,}", 1, 9, "trailing comma")]
    [InlineData("{\"a\" 1}", 1, 6, "expected ':'")]
    [InlineData("{\n\"a\": tru}", 2, 6, "unexpected word")]
    [InlineData("{\"a\": \"x}", 1, 7, "unterminated string")]
    [InlineData("{\"a\": 01}", 1, 8, "leading zeros")]
    [InlineData("", 1, 1, "empty")]
    [InlineData("{\"a\": 1} x", 1, 10, "after the end")]
    [InlineData("// c\n{}", 1, 1, "comments")]
    public void Syntax_errors_come_back_with_their_position_never_as_an_exception(string text, int line, int column, string fragment)
    {
        Assert.Null(JsonPositionReader.Parse(text, out var error));
        Assert.NotNull(error);
        Assert.Equal((line, column), (error!.Position.Line, error.Position.Column));
        Assert.Contains(fragment, error.Message);
    }

    [Fact]
    public void The_reader_accepts_what_pythons_json_accepts()
    {
        var root = JsonPositionReader.Parse("{\"n\": NaN, \"i\": -Infinity, \"s\": \"\\u00e9\\n\", \"l\": [true, false, null], \"o\": {}}", out var error);
        Assert.Null(error);
        Assert.True(double.IsNaN(root!.Members![0].Value.NumberValue));
        Assert.Equal(double.NegativeInfinity, root.Members[1].Value.NumberValue);
        Assert.Equal("é\n", root.Members[2].Value.StringValue);
        Assert.Equal(3, root.Members[3].Value.Items!.Count);
        Assert.Empty(root.Members[4].Value.Members!);
        Assert.False(JsonPositionReader.Parse("{\"e\": 1}", out _)!.Members![0].Value.IsPythonFloat);
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        string text = new string('[', 10_000) + new string(']', 10_000);
        Assert.Null(JsonPositionReader.Parse(text, out var error));
        Assert.Contains("nested more than", error!.Message);
    }

    [Fact]
    public void Random_mutations_never_throw()
    {
        var random = new Random(1234);
        string seed = "{\n    \"floatx\": \"float32\",\n    \"epsilon\": 1e-07,\n    \"backend\": \"torch\",\n    \"image_data_format\": \"channels_last\"\n}";
        const string alphabet = "{}[]\":,.-+eE0123456789 \n\r\tabcdefnrtuls\\\uFEFFNI";
        for (int i = 0; i < 5000; i++)
        {
            var chars = seed.ToCharArray().ToList();
            int edits = random.Next(1, 6);
            for (int e = 0; e < edits; e++)
            {
                int at = random.Next(chars.Count + 1);
                switch (random.Next(3))
                {
                    case 0 when chars.Count > 0 && at < chars.Count: chars.RemoveAt(at); break;
                    case 1: chars.Insert(at, alphabet[random.Next(alphabet.Length)]); break;
                    default: if (at < chars.Count) chars[at] = alphabet[random.Next(alphabet.Length)]; break;
                }
            }
            string text = new string(chars.ToArray());
            var root = JsonPositionReader.Parse(text, out var error);
            Assert.True((root == null) != (error == null));
            if (error != null) Assert.InRange(error.Position.Offset, 0, text.Length);
            var settings = new Configuration.KerasSettings();
            try
            {
                Configuration.KerasJsonFile.Apply(text, "keras.json", settings);
            }
            catch (KerasJsonException)
            {
                // the only failure the runtime may raise for a bad file
            }
        }
    }
}
