using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Constraints;
using Keras.Errors;
using Keras.Initializers;
using Keras.Regularizers;
using Keras.SavingLib;
using Keras.Interop;
using Keras.State;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    /// <summary>
    /// <c>keras.layers.MultiHeadAttention(num_heads, key_dim, value_dim=None, dropout=0.0, use_bias=True,
    /// output_shape=None, flash_attention=None)</c>. Projections use Keras' layouts (query/key kernels
    /// (features, heads, key_dim), value (features, heads, value_dim), output (heads, value_dim, features_out)).
    /// Flash attention follows Keras' rule: the effective setting is the argument or, when the argument is not true,
    /// <c>Keras.Config.IsFlashAttentionEnabled()</c>; a true setting with dropout &gt; 0 is an error; null (auto) uses
    /// TorchSharp's fused scaled-dot-product attention when there is no dropout to apply, false never does.
    /// </summary>
    [KerasClass("MultiHeadAttention")]
    public sealed class MultiHeadAttention : Layer, IMultiInputLayer
    {
        private readonly SeedGenerators? _dropoutGenerator;
        private long _valueFeatures = -1;
        private long _keyFeatures = -1;

        /// <summary>Creates the layer.</summary>
        public MultiHeadAttention(int numHeads, int keyDim, int? valueDim = null, double dropout = 0.0, bool useBias = true, int? outputShape = null,
            bool? flashAttention = null, string? name = null, Initializer? kernelInitializer = null, Initializer? biasInitializer = null,
            Regularizer? kernelRegularizer = null, Regularizer? biasRegularizer = null, Regularizer? activityRegularizer = null,
            Constraint? kernelConstraint = null, Constraint? biasConstraint = null, int? seed = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
            KernelInitializer = kernelInitializer ?? new GlorotUniform();
            BiasInitializer = biasInitializer ?? new Zeros();
            KernelRegularizer = kernelRegularizer;
            BiasRegularizer = biasRegularizer;
            ActivityRegularizer = activityRegularizer;
            KernelConstraint = kernelConstraint;
            BiasConstraint = biasConstraint;
            Seed = seed;
            if (numHeads <= 0 || keyDim <= 0) throw new KerasArgumentException("`num_heads` and `key_dim` must be positive.", nameof(numHeads));
            if (dropout < 0 || dropout > 1) throw new KerasArgumentException($"Invalid value received for argument `dropout`. Received: dropout={dropout}", nameof(dropout));
            NumHeads = numHeads;
            KeyDim = keyDim;
            ValueDim = valueDim ?? keyDim;
            Dropout = dropout;
            UseBias = useBias;
            OutputShape = outputShape;
            FlashAttention = flashAttention == true ? true : Config.IsFlashAttentionEnabled();
            if (FlashAttention == true && dropout > 0)
                throw new KerasArgumentException(
                    "Dropout is not supported when flash attention is enabled. Please set dropout to 0.0 to use flash attention.", nameof(dropout));
            if (dropout > 0) _dropoutGenerator = new SeedGenerators(seed);
        }

        /// <summary>The projections' kernel initializer.</summary>
        public Initializer KernelInitializer { get; }
        /// <summary>The projections' bias initializer.</summary>
        public Initializer BiasInitializer { get; }
        /// <summary>The projections' kernel regularizer, or null.</summary>
        public Regularizer? KernelRegularizer { get; }
        /// <summary>The projections' bias regularizer, or null.</summary>
        public Regularizer? BiasRegularizer { get; }
        /// <summary>The projections' kernel constraint, or null.</summary>
        public Constraint? KernelConstraint { get; }
        /// <summary>The projections' bias constraint, or null.</summary>
        public Constraint? BiasConstraint { get; }
        /// <summary>The dropout seed given, or null.</summary>
        public int? Seed { get; }

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_heads"] = NumHeads;
            c["key_dim"] = KeyDim;
            c["value_dim"] = ValueDim;
            c["dropout"] = Dropout;
            c["use_bias"] = UseBias;
            c["output_shape"] = OutputShape;
            c["attention_axes"] = null;
            c["kernel_initializer"] = KerasObjects.Serialize(KernelInitializer);
            c["bias_initializer"] = KerasObjects.Serialize(BiasInitializer);
            c["kernel_regularizer"] = KerasObjects.SerializeOptional(KernelRegularizer);
            c["bias_regularizer"] = KerasObjects.SerializeOptional(BiasRegularizer);
            c["activity_regularizer"] = KerasObjects.SerializeOptional(ActivityRegularizer);
            c["kernel_constraint"] = KerasObjects.SerializeOptional(KernelConstraint);
            c["bias_constraint"] = KerasObjects.SerializeOptional(BiasConstraint);
            c["seed"] = Seed;
            return c;
        }

        internal static MultiHeadAttention FromConfig(ConfigReader c)
        {
            c.Ignore("query_shape", "key_shape", "value_shape"); // tf.keras' build shapes: the graph's calls rebuild the layer
            // Keras writes the axes it resolved at build time: (1,) for (batch, steps, features) inputs, the only case here.
            c.Expect("attention_axes", v => v is JsonValue one ? one.GetValue<int>() == 1 : v is JsonArray { Count: 1 } list && list[0]!.GetValue<int>() == 1,
                "attention over axes other than the steps axis (attention_axes other than [1])");
            var outputShape = c.Raw("output_shape") switch
            {
                null => (int?)null,
                JsonArray { Count: 1 } one when one[0] is JsonValue v && v.TryGetValue<int>(out int single) => single,
                JsonValue v when v.TryGetValue<int>(out int n) => n,
                _ => throw c.Unsupported("output_shape", "an output_shape of more than one dimension"),
            };
            return new MultiHeadAttention(c.Int("num_heads", min: 1), c.Int("key_dim", min: 1), c.OptionalInt("value_dim", min: 1), c.Double("dropout", 0.0),
                c.Bool("use_bias", true), outputShape, c.Has("flash_attention") ? c.Bool("flash_attention") : NoFlag(c), c.Name,
                c.Object<Initializer>("kernel_initializer", new GlorotUniform()), c.Object<Initializer>("bias_initializer", new Zeros()),
                c.OptionalObject<Regularizer>("kernel_regularizer"), c.OptionalObject<Regularizer>("bias_regularizer"), null,
                c.OptionalObject<Constraint>("kernel_constraint"), c.OptionalObject<Constraint>("bias_constraint"), c.OptionalInt("seed", min: 0));
        }

        private static bool? NoFlag(ConfigReader c)
        {
            c.Ignore("flash_attention");
            return null;
        }

        /// <summary>
        /// Keras keeps the four projections in EinsumDense sublayers, saved in attribute order: key_dense,
        /// output_dense, query_dense, value_dense, each with kernel then bias.
        /// </summary>
        internal override IReadOnlyList<SavingLib.VariableGroup> SavedVariableGroups()
        {
            KerasVariable[] Pair(KerasVariable? kernel, KerasVariable? bias) =>
                new[] { kernel, bias }.Where(v => v != null).Select(v => v!).ToArray();
            return new[]
            {
                new SavingLib.VariableGroup("vars", Name, Array.Empty<KerasVariable>()),
                new SavingLib.VariableGroup("key_dense/vars", "key", Pair(_kKernel, _kBias)),
                new SavingLib.VariableGroup("output_dense/vars", "attention_output", Pair(_oKernel, _oBias)),
                new SavingLib.VariableGroup("query_dense/vars", "query", Pair(_qKernel, _qBias)),
                new SavingLib.VariableGroup("value_dense/vars", "value", Pair(_vKernel, _vBias)),
            };
        }

        internal override IReadOnlyList<Generator> RandomGenerators =>
            _dropoutGenerator == null ? Array.Empty<Generator>() : _dropoutGenerator.All;

        /// <summary>Number of heads.</summary>
        public int NumHeads { get; }
        /// <summary>Size of each query/key head.</summary>
        public int KeyDim { get; }
        /// <summary>Size of each value head.</summary>
        public int ValueDim { get; }
        /// <summary>Dropout on the attention probabilities (training only).</summary>
        public double Dropout { get; }
        /// <summary>Whether the projections have biases.</summary>
        public bool UseBias { get; }
        /// <summary>Output features (null: the query's).</summary>
        public int? OutputShape { get; }
        /// <summary>The effective flash-attention setting: null auto, false never, true always.</summary>
        public bool? FlashAttention { get; }

        private KerasVariable? _qKernel, _kKernel, _vKernel, _oKernel, _qBias, _kBias, _vBias, _oBias;

        /// <inheritdoc />
        protected override void BuildCore(long[] inputShape)
        {
            long queryFeatures = inputShape[inputShape.Length - 1];
            long valueFeatures = _valueFeatures > 0 ? _valueFeatures : queryFeatures;
            long keyFeatures = _keyFeatures > 0 ? _keyFeatures : valueFeatures;
            long output = OutputShape ?? queryFeatures;
            // As Keras, each projection gets its own copy of the initializers (an unseeded copy draws its own seed).
            KerasVariable Kernel(string name, long[] shape) =>
                AddWeight(name, shape, KernelInitializer.CloneFromConfig(), regularizer: KernelRegularizer, constraint: KernelConstraint);
            KerasVariable BiasWeight(string name, long[] shape) =>
                AddWeight(name, shape, BiasInitializer.CloneFromConfig(), regularizer: BiasRegularizer, constraint: BiasConstraint);
            _qKernel = Kernel("query/kernel", new[] { queryFeatures, NumHeads, (long)KeyDim });
            _kKernel = Kernel("key/kernel", new[] { keyFeatures, NumHeads, (long)KeyDim });
            _vKernel = Kernel("value/kernel", new[] { valueFeatures, NumHeads, (long)ValueDim });
            _oKernel = Kernel("attention_output/kernel", new[] { (long)NumHeads, ValueDim, output });
            if (UseBias)
            {
                _qBias = BiasWeight("query/bias", new[] { (long)NumHeads, KeyDim });
                _kBias = BiasWeight("key/bias", new[] { (long)NumHeads, KeyDim });
                _vBias = BiasWeight("value/bias", new[] { (long)NumHeads, ValueDim });
                _oBias = BiasWeight("attention_output/bias", new[] { output });
            }
        }

        /// <inheritdoc />
        public override long[] ComputeOutputShape(long[] inputShape)
        {
            var shape = (long[])inputShape.Clone();
            shape[shape.Length - 1] = OutputShape ?? inputShape[inputShape.Length - 1];
            return shape;
        }

        /// <summary>
        /// Keras' <c>mha(query, value, key=None, query_mask=None, value_mask=None, key_mask=None, attention_mask=None,
        /// training=None, use_causal_mask=False)</c>; the key defaults to the value. As Keras' <c>_compute_attention_mask</c>,
        /// the masks are joined with a logical and: the query mask (batch, T) as (batch, T, 1), the value and key masks
        /// (batch, S) as (batch, 1, S), the causal lower triangle (1, T, S), and <paramref name="attentionMask"/> (batch, T, S).
        /// Masked scores are set to a large negative number before the softmax and the masked probabilities to zero after it
        /// (a query step with nothing to attend to gets zeros).
        /// </summary>
        public Tensor Call(Tensor query, Tensor value, Tensor? key = null, bool? training = null, Tensor? attentionMask = null,
            bool useCausalMask = false, Tensor? queryMask = null, Tensor? valueMask = null, Tensor? keyMask = null)
        {
            if (query is null || value is null) throw new KerasArgumentException("MultiHeadAttention needs a query and a value tensor. Received: None");
            if (!Built)
            {
                _valueFeatures = value.shape[value.dim() - 1];
                if (key is not null) _keyFeatures = key.shape[key.dim() - 1];
            }
            _callMask = CombinedMask(query, value, queryMask, valueMask, key is null ? null : keyMask, attentionMask, useCausalMask);
            bool self = ReferenceEquals(query, value) && (key is null || ReferenceEquals(key, value));
            _crossValue = self ? null : value;
            _crossKey = self ? null : key ?? value;
            try
            {
                return base.Call(query, training);
            }
            finally
            {
                _callMask?.Dispose();
                _callMask = null;
                _crossValue = null;
                _crossKey = null;
            }
        }

        /// <summary>Keras' joined attention mask (booleans broadcasting to (batch, T, S)), or null when nothing is masked.</summary>
        private Tensor? CombinedMask(Tensor query, Tensor value, Tensor? queryMask, Tensor? valueMask, Tensor? keyMask, Tensor? attentionMask, bool causal)
        {
            long batch = query.shape[0], t = query.shape[1], source = value.shape[1];
            void Check(Tensor? mask, string name, long[] shape)
            {
                if (mask is null) return;
                var actual = mask.shape;
                bool ok = actual.Length == shape.Length && actual.Select((a, i) => a == shape[i] || (i == 0 && a == 1)).All(x => x); // a batch of 1 broadcasts
                if (!ok)
                    throw new KerasArgumentException(
                        $"Layer \"{Name}\": {name} must have shape {FormatShape(shape)} (query length {t}, value length {source}). Received: {FormatShape(actual)}.", name);
            }
            Check(queryMask, "query_mask", new[] { batch, t });
            Check(valueMask, "value_mask", new[] { batch, source });
            Check(keyMask, "key_mask", new[] { batch, source });
            Check(attentionMask, "attention_mask", new[] { batch, t, source });
            Tensor? joined = null;
            void Join(Tensor part)
            {
                if (joined is null)
                {
                    joined = part;
                    return;
                }
                var next = joined.logical_and(part);
                joined.Dispose();
                part.Dispose();
                joined = next;
            }
            static Tensor AsBool(Tensor m) => m.dtype == ScalarType.Bool ? m.alias() : m.ne(0);
            if (queryMask is not null) { using var q = AsBool(queryMask); Join(q.unsqueeze(-1)); }
            if (valueMask is not null) { using var v = AsBool(valueMask); Join(v.unsqueeze(-2)); }
            if (keyMask is not null) { using var k = AsBool(keyMask); Join(k.unsqueeze(-2)); }
            if (causal)
            {
                using var ones = torch.ones(new[] { t, source }, ScalarType.Bool, query.device);
                using var lower = ones.tril(); // row ≥ column, as Keras' cumsum comparison
                Join(lower.unsqueeze(0));
            }
            if (attentionMask is not null) Join(AsBool(attentionMask));
            return joined;
        }

        /// <summary>
        /// Keras' <c>mha(query, value, key=None)</c> on symbolic tensors (cross-attention in a Functional graph); the key
        /// defaults to the value. <c>Call(x)</c> is self-attention.
        /// </summary>
        public KerasTensor Call(KerasTensor query, KerasTensor value, KerasTensor? key = null, bool? training = null, KerasTensor? attentionMask = null,
            bool useCausalMask = false)
        {
            if (query is null || value is null) throw new KerasArgumentException("MultiHeadAttention needs a query and a value tensor. Received: None");
            EnsureAlive();
            if (!Built)
            {
                _valueFeatures = value.Shape[value.Shape.Length - 1];
                if (key is not null) _keyFeatures = key.Shape[key.Shape.Length - 1];
            }
            MaybeBuild(query.Shape);
            var inputs = new List<KerasTensor> { query, value };
            if (key is not null) inputs.Add(key);
            if (attentionMask is not null) inputs.Add(attentionMask);
            var output = RecordCall(inputs, ComputeOutputShape(query.Shape));
            output.CallTraining = training; // fixes this call's mode (its dropout) when the graph runs
            output.CallArguments = new CallSettings(key is not null, attentionMask is not null, useCausalMask);
            return output;
        }

        KerasTensor IMultiInputLayer.CallSaved(SavedCall call)
        {
            var query = call.Tensor(call.Arg(0) ?? call.Kwarg("query"), "query");
            var value = call.Tensor(call.Arg(1) ?? call.Kwarg("value"), "value");
            var key = call.OptionalTensor(call.Arg(2) ?? call.Kwarg("key"), "key");
            bool? training = call.OptionalFlag("training");
            foreach (var name in new[] { "query_mask", "value_mask", "key_mask" }) call.FilledMask(name);
            var attentionMask = call.OptionalTensor(call.Kwarg("attention_mask"), "attention_mask");
            bool causal = call.Flag("use_causal_mask");
            call.ExpectNone("return_attention_scores", "returning the attention scores");
            call.Finish();
            if (ReferenceEquals(query, value) && (key is null || ReferenceEquals(key, value)) && attentionMask is null && !causal)
                return base.Call(query, training); // self-attention
            return Call(query, value, key, training, attentionMask, causal);
        }

        /// <summary>What a symbolic call recorded besides its tensors: whether a key and an attention mask follow the value, the causal mask.</summary>
        private sealed record CallSettings(bool HasKey, bool HasAttentionMask, bool UseCausalMask);

        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, bool? training) =>
            ((IMultiInputLayer)this).CallRecorded(node, inputs, new Tensor?[inputs.Count], training);

        /// <summary>A recorded call with the masks its tensors carry: Keras' query_mask, value_mask and key_mask.</summary>
        Tensor IMultiInputLayer.CallRecorded(KerasTensor node, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks, bool? training)
        {
            if (inputs.Count == 1) return Call(inputs[0], inputs[0], null, training, null, false, masks[0], masks[0]); // self-attention
            var settings = node.CallArguments as CallSettings ?? new CallSettings(inputs.Count > 2, false, false);
            var key = settings.HasKey ? inputs[2] : null;
            var attentionMask = settings.HasAttentionMask ? inputs[inputs.Count - 1] : null;
            return Call(inputs[0], inputs[1], key, training, attentionMask, settings.UseCausalMask, masks[0], masks[1], settings.HasKey ? masks[2] : null);
        }

        /// <summary>Keras' output mask: the query's.</summary>
        Tensor? IMultiInputLayer.ComputeMask(IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?> masks) => masks[0]?.alias();

        /// <summary>
        /// Keras writes query and value (and key) positionally (twice the same tensor for self-attention); the attention
        /// mask, the causal mask and training in the kwargs.
        /// </summary>
        JsonObject IMultiInputLayer.SaveCall(KerasTensor node, Func<KerasTensor, JsonNode> tensor)
        {
            var settings = node.CallArguments as CallSettings;
            var sources = node.SourceInputs;
            var inputs = sources.Count == 1 ? new[] { sources[0], sources[0] }
                : sources.Take(settings?.HasKey == true ? 3 : 2).ToArray();
            var kwargs = new JsonObject();
            if (settings?.HasAttentionMask == true) kwargs["attention_mask"] = tensor(sources[sources.Count - 1]);
            if (settings?.UseCausalMask == true) kwargs["use_causal_mask"] = true;
            if (node.CallTraining is bool training) kwargs["training"] = training;
            return new JsonObject { ["args"] = LayerCalls.List(inputs, tensor), ["kwargs"] = kwargs };
        }

        // The value and key of the call in progress (Layer.Call carries one tensor, the query); null for self-attention.
        private Tensor? _crossValue;
        private Tensor? _crossKey;
        private Tensor? _callMask; // the joined attention mask of the call in progress, or null

        /// <summary>Self-attention when called with one tensor (query = key = value).</summary>
        protected override Tensor CallCore(Tensor inputs, bool? training)
        {
            var type = Dtypes.ToScalarType(ComputeDtype);
            using var valueInput = (_crossValue ?? inputs).to_type(type);
            using var keyInput = (_crossKey ?? _crossValue ?? inputs).to_type(type);
            using var q = Project(inputs, _qKernel!, _qBias, type);     // (B, H, Tq, Dk)
            using var k = Project(keyInput, _kKernel!, _kBias, type);   // (B, H, Tk, Dk)
            using var v = Project(valueInput, _vKernel!, _vBias, type); // (B, H, Tk, Dv)
            bool applyDropout = training == true && Dropout > 0;
            bool fused = FlashAttention != false && !applyDropout && _callMask is null;
            using var attended = fused ? nn.functional.scaled_dot_product_attention(q, k, v) : Manual(q, k, v, applyDropout, _callMask);
            // (B, H, Tq, Dv) x (H, Dv, O) -> (B, Tq, O)
            using var oKernel = _oKernel!.Value.to_type(type);
            using var output = torch.einsum("bhqd,hdo->bqo", attended, oKernel);
            if (_oBias == null) return output.alias();
            using var oBias = _oBias.Value.to_type(type);
            return output.add(oBias);
        }

        private Tensor Manual(Tensor q, Tensor k, Tensor v, bool applyDropout, Tensor? mask)
        {
            using var kt = k.transpose(-2, -1);
            using var scores = q.matmul(kt).mul_(1.0 / Math.Sqrt(KeyDim));
            using var heads = mask?.unsqueeze(1); // (batch, 1, T, S): the same mask for every head
            using var keep = heads?.logical_not();
            // Keras' masked softmax: masked scores become a large negative number (-3e4 in float16), masked probabilities zero.
            if (keep is not null) scores.masked_fill_(keep, scores.dtype == ScalarType.Float16 ? -3e4 : -1e9);
            using var probabilities = scores.softmax(-1);
            if (keep is not null) probabilities.masked_fill_(keep, 0);
            if (!applyDropout) return probabilities.matmul(v);
            using var uniform = _dropoutGenerator!.Uniform(probabilities);
            using var kept = uniform.ge(Dropout);
            using var dropped = probabilities.mul(kept).div_(1 - Dropout);
            return dropped.matmul(v);
        }

        private static Tensor Project(Tensor x, KerasVariable kernel, KerasVariable? bias, ScalarType type)
        {
            using var w = kernel.Value.to_type(type);
            using var projected = torch.einsum("btf,fhd->bhtd", x, w);
            if (bias == null) return projected.alias();
            using var b = bias.Value.to_type(type);
            using var b4 = b.unsqueeze(1); // (H, 1, D) broadcasts over time
            return projected.add(b4);
        }
    }
}
