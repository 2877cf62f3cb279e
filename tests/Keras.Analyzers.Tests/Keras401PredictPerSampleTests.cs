using Xunit;
using Verify = Keras.Analyzers.Tests.Verifier<Keras.Analyzers.PredictPerSampleAnalyzer, Microsoft.CodeAnalysis.Testing.EmptyCodeFixProvider>;

namespace Keras.Analyzers.Tests;

public class Keras401PredictPerSampleTests
{
    [Theory]
    [InlineData("for (int i = 0; i < 100; i++) { using var p = {|KERAS401:model.Predict(x[i].unsqueeze(0))|}; }")]
    [InlineData("for (long i = 0; i < 100; ++i) { using var p = {|KERAS401:model.Predict(x.narrow(0, i, 1))|}; }")]
    [InlineData("for (int i = 0; i < 100; i += 1) { using var p = {|KERAS401:model.Predict(x.slice(0, i, i + 1, 1))|}; }")]
    [InlineData("foreach (var i in System.Linq.Enumerable.Range(0, 100)) { using var p = {|KERAS401:model.Predict(x[i].reshape(1, 2))|}; }")]
    public async Task Predict_on_one_sample_per_iteration_is_reported(string loop)
    {
        await Verify.AnalyzeAsync(Program(loop));
    }

    [Theory]
    [InlineData("using var p = model.Predict(x);")] // one call on everything
    [InlineData("for (int i = 0; i < 100; i += 32) { using var p = model.Predict(x.narrow(0, i, 32)); }")] // batches
    [InlineData("foreach (var batch in batches) { using var p = model.Predict(batch); }")] // a list of batches
    [InlineData("for (int i = 0; i < batches.Count; i++) { using var p = model.Predict(batches[i]); }")] // a list, not a tensor
    [InlineData("for (int i = 0; i < 3; i++) { using var p = model.Predict(x); }")] // the whole set each time (e.g. between fits)
    [InlineData("for (int i = 0; i < 100; i++) { using var p = model.Call(x[i].unsqueeze(0)); }")] // what Keras advises
    public async Task Batched_predictions_and_direct_calls_are_fine(string loop)
    {
        await Verify.AnalyzeAsync(Program(loop));
    }

    internal static string Program(string loop) => $$"""
        using System.Collections.Generic;
        using Keras.Layers;
        using Keras.Models;
        using TorchSharp;

        class Program
        {
            static void Main()
            {
                var model = new Sequential(new Layer[] { new Dense(1) });
                var x = torch.ones(100, 2);
                var batches = new List<torch.Tensor> { x };
                {{loop}}
            }
        }
        """;
}
