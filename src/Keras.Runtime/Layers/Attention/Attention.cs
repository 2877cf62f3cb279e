using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.Initializers;
using Keras.Interop;
using Keras.SavingLib;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.Attention(use_scale=False, score_mode="dot", dropout=0.0, seed=None)</c>: dot-product (Luong-style)
    /// attention over a list [query, value] or [query, value, key] (the key defaults to the value). Scores are
    /// query·keyᵀ (times the learned scalar <c>scale</c> with <c>use_scale</c>) or, with <c>score_mode="concat"</c>,
    /// concat_score_weight·Σ tanh(scale·(query + key)); masked scores get -1e9 (-65504 in float16), the softmax of the
    /// scores weights the values, dropout applies to the weights in training, and a query mask zeroes masked query
    /// steps. <c>use_causal_mask</c> (per call, saved with the call in a Functional graph) lets step i attend to steps
    /// j ≤ i only.
    /// </summary>
    [KerasClass("Attention")]
    public class Attention : Layer, IMultiInputLayer
    {
        private readonly object _buildGate = new object();
        private readonly SeedGenerators? _dropoutGenerator;

        /// <summary>Creates the layer.</summary>
        public Attention(bool useScale = false, string scoreMode = "dot", double dropout = 0.0, int? seed = null, string? name = null,
            bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            if (scoreMode is not ("dot" or "concat"))
                throw new KerasArgumentException(
                    $"Invalid value for argument score_mode. Expected one of {{'dot', 'concat'}}. Received: score_mode={scoreMode}", nameof(scoreMode));
            if (double.IsNaN(dropout) || dropout < 0 || dropout > 1)
                throw new KerasArgumentException($"Invalid value received for argument `dropout`. Expected a float value between 0 and 1. Received: dropout={dropout}",
                    nameof(dropout));
            UseScale = useScale;
            ScoreMode = scoreMode;
            Dropout = dropout;
            Seed = seed;
            if (dropout > 0) _dropoutGenerator = new SeedGenerators(seed);
        }

        /// <summary>Whether the scores are scaled by a learned weight.</summary>
        public bool UseScale { get; }
        /// <summary>"dot" or "concat".</summary>
        public string ScoreMode { get; }
        /// <summary>Dropout on the attention weights (training only).</summary>
        public double Dropout { get; }
        /// <summary>The dropout seed given, or null.</summary>
        public int? Seed { get; }
        /// <summary>The learned scale (a scalar here; a vector in <see cref="AdditiveAttention"/>), after build with <see cref="UseScale"/>.</summary>
        public KerasVariable? Scale { get; private protected set; }
        /// <summary>The learned scalar of <c>score_mode="concat"</c>, after build.</summary>
        public KerasVariable? ConcatScoreWeight { get; private set; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["use_scale"] = UseScale;
            c["score_mode"] = ScoreMode;
            c["dropout"] = Dropout;
            c["seed"] = Seed;
            return c;
        }

        internal static Attention FromConfig(ConfigReader c) =>
            new Attention(c.Bool("use_scale", false), c.Choice("score_mode", "dot", "dot", "concat"), ReadDropout(c), c.OptionalInt("seed", min: 0), c.Name);

        private protected static double ReadDropout(ConfigReader c)
        {
            double rate = c.Double("dropout", 0.0);
            if (rate < 0 || rate > 1) throw c.Error("dropout", "a number between 0 and 1");
            return rate;
        }

        internal override IReadOnlyList<Generator> RandomGenerators =>
            _dropoutGenerator == null ? Array.Empty<Generator>() : _dropoutGenerator.All;

        /// <summary>The settings of one call, kept with its output tensor in a graph.</summary>
        private sealed record CallSettings(bool UseCausalMask);

        private string ClassName => KerasClassName;

        private KerasArgumentException NotAList(string received) =>
            new KerasArgumentException(
                $"{ClassName} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received: inputs={received}.");

        /// <summary>A single tensor is Keras' error: the layer takes a list.</summary>
        protected sealed override void BuildCore(long[] inputShape) => throw NotAList(FormatShape(inputShape));

        /// <summary>A single tensor is Keras' error: the layer takes a list.</summary>
        protected sealed override Tensor CallCore(Tensor inputs, bool? training) => throw NotAList(FormatShape(inputs.shape));

        private void CheckShapes(IReadOnlyList<long[]> shapes)
        {
            if (shapes.Count < 2 || shapes.Count > 3)
                throw new KerasArgumentException(
                    $"{ClassName} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: {shapes.Count}.");
            long[] q = shapes[0], v = shapes[1], k = shapes.Count > 2 ? shapes[2] : shapes[1];
            bool Same(long a, long b) => a < 0 || b < 0 || a == b;
            if (q.Length < 2 || v.Length != q.Length || k.Length != q.Length)
                throw new KerasArgumentException(
                    $"{ClassName} layer expects query, value and key of the same rank (at least 2: (..., steps, features)). Received: " +
                    $"query.shape={FormatShape(q)}, value.shape={FormatShape(v)}, key.shape={FormatShape(k)}.");
            if (!Same(q[q.Length - 1], k[k.Length - 1]))
                throw new KerasArgumentException(
                    $"{ClassName} layer: query and key must have the same last dimension. Received: query.shape={FormatShape(q)}, key.shape={FormatShape(k)}.");
            if (!Same(v[v.Length - 2], k[k.Length - 2]))
                throw new KerasArgumentException(
                    $"{ClassName} layer: value and key must have the same number of steps. Received: value.shape={FormatShape(v)}, key.shape={FormatShape(k)}.");
            if (Scale is { Shape.Length: 1 } vector && q[q.Length - 1] >= 0 && q[q.Length - 1] != vector.Shape[0])
                throw new KerasArgumentException(
                    $"{ClassName} layer was built for queries with {vector.Shape[0]} features. Received: query.shape={FormatShape(q)}.");
            for (int i = 0; i < q.Length - 2; i++)
                if (!Same(q[i], v[i]) || !Same(q[i], k[i]))
                    throw new KerasArgumentException(
                        $"{ClassName} layer: query, value and key must have the same batch dimensions. Received: query.shape={FormatShape(q)}, " +
                        $"value.shape={FormatShape(v)}, key.shape={FormatShape(k)}.");
        }

        private void EnsureBuilt(long[] queryShape)
        {
            if (Built) return;
            lock (_buildGate)
            {
                if (Built) return;
                CreateWeights(queryShape);
                Built = true;
            }
        }

        /// <summary>Keras' build: the layer's weights from the query's shape.</summary>
        private protected virtual void CreateWeights(long[] queryShape)
        {
            if (UseScale) Scale = AddWeight("scale", Array.Empty<long>(), new Ones());
            if (ScoreMode == "concat") ConcatScoreWeight = AddWeight("concat_score_weight", Array.Empty<long>(), new Ones());
        }

        /// <summary>The output shape: the query's, with the value's features.</summary>
        private static long[] OutputShape(IReadOnlyList<long[]> shapes) =>
            shapes[0].Take(shapes[0].Length - 1).Append(shapes[1][shapes[1].Length - 1]).ToArray();

        /// <summary>
        /// Keras' <c>attention([query, value])</c> / <c>attention([query, value, key], use_causal_mask=..., training=...)</c> on
        /// symbolic tensors; a given <paramref name="training"/> fixes the mode of this call when the graph runs (its dropout).
        /// </summary>
        public KerasTensor Call(IReadOnlyList<KerasTensor> inputs, bool useCausalMask = false, bool? training = null)
        {
            if (inputs is null || inputs.Any(i => i is null)) throw NotAList("None");
            EnsureAlive();
            var shapes = inputs.Select(t => t.Shape).ToArray();
            CheckShapes(shapes);
            EnsureBuilt(shapes[0]);
            var output = RecordCall(inputs, OutputShape(shapes));
            output.CallArguments = new CallSettings(useCausalMask);
            output.CallTraining = training;
            return output;
        }

        /// <summary>
        /// Keras' <c>attention(inputs, mask=None, training=None, use_causal_mask=False)</c> on tensors: <paramref name="mask"/>
        /// is [query_mask, value_mask] (booleans of shape (batch, Tq) and (batch, Tv), either may be null). The caller owns the
        /// result.
        /// </summary>
        public Tensor Call(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? mask = null, bool? training = null, bool useCausalMask = false)
        {
            var (output, scores) = Run(inputs, mask, training, useCausalMask, keepScores: false);
            scores?.Dispose();
            return output;
        }

        /// <summary>
        /// Keras' <c>attention(inputs, return_attention_scores=True)</c>: the output and the attention weights (after the
        /// softmax), shape (batch, Tq, Tv). The caller owns both.
        /// </summary>
        public (Tensor Output, Tensor Scores) CallWithScores(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? mask = null, bool? training = null,
            bool useCausalMask = false)
        {
            var (output, scores) = Run(inputs, mask, training, useCausalMask, keepScores: true);
            return (output, scores!);
        }

        private (Tensor Output, Tensor? Scores) Run(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? mask, bool? training, bool useCausalMask, bool keepScores)
        {
            if (inputs is null || inputs.Any(i => i is null)) throw NotAList("None");
            EnsureAlive();
            var shapes = inputs.Select(t => t.shape).ToArray();
            CheckShapes(shapes);
            if (mask != null && (mask.Count < 2 || mask.Count > 3))
                throw new KerasArgumentException($"{ClassName} layer accepts mask list of length 2 or 3. Received: mask of length {mask.Count}.");
            Tensor? queryMask = mask?[0], valueMask = mask?[1];
            if (queryMask is not null && !queryMask.shape.SequenceEqual(shapes[0].Take(shapes[0].Length - 1)))
                throw new KerasArgumentException($"{ClassName} layer: the query mask must have shape {FormatShape(shapes[0].Take(shapes[0].Length - 1).ToArray())}. Received: {FormatShape(queryMask.shape)}.");
            if (valueMask is not null && !valueMask.shape.SequenceEqual(shapes[1].Take(shapes[1].Length - 1)))
                throw new KerasArgumentException($"{ClassName} layer: the value mask must have shape {FormatShape(shapes[1].Take(shapes[1].Length - 1).ToArray())}. Received: {FormatShape(valueMask.shape)}.");
            EnsureBuilt(shapes[0]);
            Tensor? scoresOut = null;
            var all = inputs.Cast<Tensor?>().Concat(new[] { queryMask, valueMask }).ToArray();
            var output = LayerCalls.Run(this, all, t =>
            {
                var q = t[0]!;
                var v = t[1]!;
                var k = inputs.Count > 2 ? t[2]! : v;
                var (result, weights) = Attend(q, v, k, t[inputs.Count], t[inputs.Count + 1], training == true, useCausalMask);
                if (keepScores) scoresOut = weights;
                else weights.Dispose();
                return result;
            });
            return (output, scoresOut);
        }

        /// <summary>The scores (..., Tq, Tv) of queries against keys.</summary>
        private protected virtual Tensor Scores(Tensor query, Tensor key)
        {
            var type = query.dtype;
            if (ScoreMode == "dot")
            {
                using var kt = key.transpose(-2, -1);
                var scores = query.matmul(kt);
                if (Scale == null) return scores;
                using (scores)
                using (var scale = Scale.Value.to_type(type))
                    return scores.mul(scale);
            }
            using var q4 = query.unsqueeze(-2); // (..., Tq, 1, d)
            using var k4 = key.unsqueeze(-3);   // (..., 1, Tv, d)
            using var sum = q4.add(k4);
            using var scaleValue = Scale?.Value.to_type(type);
            using var scaled = scaleValue is null ? sum.alias() : sum.mul(scaleValue);
            using var tanh = scaled.tanh();
            using var reduced = tanh.sum(-1);
            using var weight = ConcatScoreWeight!.Value.to_type(type);
            return reduced.mul(weight);
        }

        private (Tensor Output, Tensor Weights) Attend(Tensor q, Tensor v, Tensor k, Tensor? queryMask, Tensor? valueMask, bool training, bool causal)
        {
            using var scores = Scores(q, k);
            using var scoresMask = ScoresMask(scores, valueMask, causal);
            Tensor masked;
            if (scoresMask is null) masked = scores.alias();
            else
            {
                double max = scores.dtype == ScalarType.Float16 ? 65504.0 : 1.0e9;
                using var lowered = scores.sub(max);
                masked = torch.where(scoresMask, scores, lowered);
            }
            Tensor weights;
            using (masked)
                weights = masked.softmax(-1);
            if (training && Dropout > 0 && _dropoutGenerator != null)
            {
                using var uniform = _dropoutGenerator.Uniform(weights);
                using var onDevice = uniform.to(weights.device);
                using var keep = onDevice.ge(Dropout);
                using var kept = weights.mul(keep);
                weights.Dispose();
                weights = kept.div(1 - Dropout);
            }
            var output = weights.matmul(v);
            if (queryMask is null) return (output, weights);
            using (output)
            {
                using var qBool = AsBool(queryMask);
                using var q3 = qBool.unsqueeze(-1);
                using var zeros = torch.zeros_like(output);
                return (torch.where(q3, output, zeros), weights);
            }
        }

        private static Tensor AsBool(Tensor mask) => mask.dtype == ScalarType.Bool ? mask.alias() : mask.ne(0);

        /// <summary>Keras' score mask: the value mask (as (batch, 1, Tv)), and with a causal mask the lower triangle (row ≥ column).</summary>
        private static Tensor? ScoresMask(Tensor scores, Tensor? valueMask, bool causal)
        {
            using var vMask = valueMask is null ? null : AsBool(valueMask);
            using var v3 = vMask?.unsqueeze(-2);
            if (!causal) return v3?.alias();
            long tq = scores.shape[scores.dim() - 2], tv = scores.shape[scores.dim() - 1];
            using var ones = torch.ones(new[] { tq, tv }, ScalarType.Bool, scores.device);
            using var lower = ones.tril();
            using var causalMask = lower.unsqueeze(0);
            return v3 is null ? causalMask.alias() : v3.logical_and(causalMask);
        }

        KerasTensor IMultiInputLayer.CallSaved(SavedCall call)
        {
            var inputs = call.Tensors(call.Arg(0) ?? call.Kwarg("inputs"), "inputs");
            bool causal = call.Flag("use_causal_mask");
            bool? training = call.OptionalFlag("training");
            call.FilledMask("mask", list: true);
            call.ExpectNone("return_attention_scores", "returning the attention scores");
            call.Finish();
            return Call(inputs, causal, training);
        }

        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, bool? training) =>
            Call(inputs, null, training, node.CallArguments is CallSettings { UseCausalMask: true });

        /// <summary>A recorded call with its inputs' masks: Keras fills <c>mask=[query_mask, value_mask]</c> in from them.</summary>
        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool? training) =>
            Call(inputs, new[] { masks[0], masks.Count > 1 ? masks[1] : null }, training, node.CallArguments is CallSettings { UseCausalMask: true });

        /// <summary>Keras' <c>compute_mask</c>: the query's mask.</summary>
        Tensor? IMultiInputLayer.ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0]?.alias();

        JsonObject IMultiInputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor)
        {
            var kwargs = new JsonObject();
            if (node.CallArguments is CallSettings { UseCausalMask: true }) kwargs["use_causal_mask"] = true;
            if (node.CallTraining is bool training) kwargs["training"] = training;
            return new JsonObject { ["args"] = new JsonArray(LayerCalls.List(node.SourceInputs, tensor)), ["kwargs"] = kwargs };
        }
    }
}
