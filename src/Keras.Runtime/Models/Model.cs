using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Keras.Layers;
using static TorchSharp.torch;

namespace Keras.Models
{
    /// <summary>
    /// <c>keras.Model</c>: a layer made of layers. Setting <see cref="Trainable"/> sets it on every contained layer
    /// (recursively), and the weight lists gather those of the contained layers.
    /// </summary>
    public abstract partial class Model : Layer
    {
        /// <summary>Creates the model.</summary>
        protected Model(string? name = null, bool trainable = true, string? dtype = null)
            : base(name, trainable, dtype)
        {
        }

        private readonly List<Layer> _tracked = new List<Layer>();

        /// <summary>
        /// The layers of the model, in order. Subclassed models list the layers they registered with
        /// <see cref="Track{T}"/>; Sequential and Functional list their own.
        /// </summary>
        public virtual IReadOnlyList<Layer> Layers => _tracked.ToArray();

        /// <summary>
        /// For subclassed models (Keras' attribute tracking): registers a layer the model uses in
        /// <see cref="Layer.Call(TorchSharp.torch.Tensor, bool?)"/> so its weights count as the model's. Returns it.
        /// </summary>
        protected T Track<T>(T layer) where T : Layer
        {
            if (layer is null) throw new Errors.KerasArgumentException("Only layers can be tracked. Received: None", nameof(layer));
            if (!_tracked.Contains(layer)) _tracked.Add(layer);
            return layer;
        }

        /// <inheritdoc />
        public override bool Trainable
        {
            get => base.Trainable;
            set
            {
                base.Trainable = value;
                foreach (var layer in Layers) layer.Trainable = value;
            }
        }

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> TrainableWeights =>
            Trainable ? base.TrainableWeights.Concat(Layers.SelectMany(l => l.TrainableWeights)).ToArray() : Array.Empty<KerasVariable>();

        /// <inheritdoc />
        public override IReadOnlyList<KerasVariable> NonTrainableWeights =>
            Trainable
                ? base.NonTrainableWeights.Concat(Layers.SelectMany(l => l.NonTrainableWeights)).ToArray()
                : base.NonTrainableWeights.Concat(Layers.SelectMany(l => l.TrainableWeights.Concat(l.NonTrainableWeights))).ToArray();

        private protected override string KindName => "model";

        private protected override void DisposeChildren()
        {
            foreach (var layer in Layers) layer.Dispose();
        }

        /// <summary>
        /// Runs <paramref name="layers"/> one after another on <paramref name="inputs"/>, disposing each intermediate
        /// result once the next layer has consumed it (autograd keeps what it needs). The caller owns the result.
        /// </summary>
        private protected static Tensor RunChain(IEnumerable<Layer> layers, Tensor inputs, bool? training)
        {
            var y = RunChain(layers, inputs, null, training, out var mask);
            mask?.Dispose();
            return y;
        }

        /// <summary>
        /// <see cref="RunChain(IEnumerable{Layer}, Tensor, bool?)"/> with Keras' masks: each layer receives the mask its
        /// input carries and passes on the one it computes; <paramref name="outputMask"/> is the last one (caller owns it).
        /// </summary>
        private protected static Tensor RunChain(IEnumerable<Layer> layers, Tensor inputs, Tensor? mask, bool? training, out Tensor? outputMask)
        {
            Tensor x = inputs;
            Tensor? m = mask;
            try
            {
                foreach (var layer in layers)
                {
                    Tensor y = layer.CallInternal(x, m, training, true, out var ym);
                    if (!ReferenceEquals(x, inputs)) x.Dispose();
                    if (m is not null && !ReferenceEquals(m, mask)) m.Dispose();
                    x = y;
                    m = ym;
                }
            }
            catch
            {
                if (m is not null && !ReferenceEquals(m, mask)) m.Dispose();
                if (!ReferenceEquals(x, inputs)) x.Dispose();
                throw;
            }
            outputMask = m is not null && ReferenceEquals(m, mask) ? m.alias() : m;
            return ReferenceEquals(x, inputs) ? x.alias() : x;
        }

        /// <summary>Finds a layer by name (Keras' get_layer).</summary>
        public Layer GetLayer(string name) =>
            Layers.FirstOrDefault(l => l.Name == name) ??
            throw new Errors.KerasArgumentException(
                $"No such layer: {name}. Existing layers are: [{string.Join(", ", Layers.Select(l => "'" + l.Name + "'"))}].", nameof(name));

        /// <summary>
        /// <c>model.summary()</c>: prints the layers, their output shapes and parameter counts through Keras' message
        /// channel (stdout, or the logger when interactive logging is off).
        /// </summary>
        public void Summary()
        {
            var rows = new List<string[]>();
            var headers = new List<string> { "Layer (type)", "Output Shape", "Param #" };
            static string Format(long[] s) => "(" + string.Join(", ", s.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture))) + ")";
            if (this is Functional functional)
            {
                // As Keras: the inputs first, one row per layer call, and a "Connected to" column unless the graph is a chain.
                bool connections = !functional.IsSequentialLike;
                if (connections) headers.Add("Connected to");
                foreach (var (name, type, nodeShape, parameters, connectedTo) in functional.SummaryRows())
                {
                    var row = new List<string> { $"{name} ({type})", Format(nodeShape), parameters.ToString("N0", CultureInfo.InvariantCulture) };
                    if (connections) row.Add(connectedTo);
                    rows.Add(row.ToArray());
                }
            }
            else
            {
                long[]? shape = BuildInputShape is { Length: > 0 } built ? (long[])built.Clone() : null;
                if (shape != null) shape[0] = -1; // the batch dimension is shown as None, as in Keras
                foreach (var layer in Layers)
                {
                    string output = "?";
                    if (shape != null)
                    {
                        shape = layer.ComputeOutputShape(shape);
                        output = Format(shape);
                    }
                    rows.Add(new[] { $"{layer.Name} ({layer.GetType().Name})", output, layer.CountParams().ToString("N0", CultureInfo.InvariantCulture) });
                }
            }
            var widths = Enumerable.Range(0, headers.Count).Select(i => Math.Max(headers[i].Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length)) + 2).ToArray();
            string Line(char left, char mid, char right, char fill) =>
                left + string.Join(mid.ToString(), widths.Select(w => new string(fill, w))) + right;
            string Row(string[] cells, char sep) =>
                sep + string.Join(sep.ToString(), cells.Select((c, i) => i == 2 ? " " + c.PadLeft(widths[i] - 2) + " " : " " + c.PadRight(widths[i] - 2) + " ")) + sep;

            var sb = new StringBuilder();
            sb.Append("Model: \"").Append(Name).Append("\"\n");
            sb.Append(Line('┏', '┳', '┓', '━')).Append('\n');
            sb.Append(Row(headers.ToArray(), '┃')).Append('\n');
            sb.Append(Line('┡', '╇', '┩', '━')).Append('\n');
            for (int i = 0; i < rows.Count; i++)
            {
                sb.Append(Row(rows[i], '│')).Append('\n');
                if (i < rows.Count - 1) sb.Append(Line('├', '┼', '┤', '─')).Append('\n');
            }
            sb.Append(Line('└', '┴', '┘', '─')).Append('\n');
            long total = CountParams();
            long trainable = TrainableWeights.Sum(w => w.Shape.Aggregate(1L, (a, b) => a * b));
            sb.Append(" Total params: ").Append(Count(total)).Append('\n');
            sb.Append(" Trainable params: ").Append(Count(trainable)).Append('\n');
            sb.Append(" Non-trainable params: ").Append(Count(total - trainable));
            Utils.PrintMsg(sb.ToString());
        }

        private string Count(long parameters)
        {
            long bytes = parameters * (VariableDtype switch { "float16" or "bfloat16" => 2, "float64" => 8, _ => 4 });
            string size = bytes >= 1 << 20 ? (bytes / 1048576.0).ToString("0.00", CultureInfo.InvariantCulture) + " MB"
                        : bytes >= 1 << 10 ? (bytes / 1024.0).ToString("0.00", CultureInfo.InvariantCulture) + " KB"
                        : bytes.ToString("0.00", CultureInfo.InvariantCulture) + " B";
            return parameters.ToString("N0", CultureInfo.InvariantCulture) + " (" + size + ")";
        }
    }
}
