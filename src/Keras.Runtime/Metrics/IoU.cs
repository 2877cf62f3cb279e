using System;
using System.Linq;
using System.Text.Json.Nodes;
using Keras.Errors;
using Keras.SavingLib;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Metrics
{
    /// <summary>
    /// <c>keras.metrics.IoU(num_classes, target_class_ids, ignore_class=None, sparse_y_true=True, sparse_y_pred=True,
    /// axis=-1)</c>: a (true class × predicted class) confusion matrix streamed over the batches (labels outside [0,
    /// num_classes) and the ignored class left out); per target class IoU = TP / (TP + FP + FN), averaged over the target
    /// classes that occurred. As Keras' default integer dtype, float sample weights are truncated to integers.
    /// </summary>
    [KerasClass("IoU")]
    public class IoU : Metric
    {
        private double[]? _matrix;

        /// <summary>Creates the metric.</summary>
        public IoU(int numClasses, int[] targetClassIds, string name = "io_u", string? dtype = null, int? ignoreClass = null, bool sparseYTrue = true,
            bool sparseYPred = true, int axis = -1) : base(name, dtype ?? "int")
        {
            if (numClasses < 1) throw new KerasArgumentException($"`num_classes` must be at least 1. Received: num_classes={numClasses}", nameof(numClasses));
            if (targetClassIds == null || targetClassIds.Length == 0) throw new KerasArgumentException("`target_class_ids` must name at least one class.", nameof(targetClassIds));
            if (targetClassIds.Max() >= numClasses)
                throw new KerasArgumentException($"Target class id {targetClassIds.Max()} is out of range, which is [0, {numClasses}).", nameof(targetClassIds));
            NumClasses = numClasses;
            TargetClassIds = (int[])targetClassIds.Clone();
            IgnoreClass = ignoreClass;
            SparseYTrue = sparseYTrue;
            SparseYPred = sparseYPred;
            Axis = axis;
        }

        /// <summary>num_classes.</summary>
        public int NumClasses { get; }

        /// <summary>target_class_ids.</summary>
        public int[] TargetClassIds { get; }

        /// <summary>ignore_class.</summary>
        public int? IgnoreClass { get; }

        /// <summary>sparse_y_true (false: one-hot targets, argmax along axis).</summary>
        public bool SparseYTrue { get; }

        /// <summary>sparse_y_pred (false: scores, argmax along axis).</summary>
        public bool SparseYPred { get; }

        /// <summary>axis.</summary>
        public int Axis { get; }

        /// <inheritdoc />
        public override string Direction => "up";

        /// <summary>Predicted classes before the matrix (BinaryIoU thresholds here).</summary>
        private protected virtual Tensor PredictedClasses(Tensor yPred) => SparseYPred ? yPred : yPred.argmax(Axis);

        /// <inheritdoc />
        protected override void Update(Tensor yTrue, Tensor yPred, Tensor? sampleWeight)
        {
            var truth = (SparseYTrue ? yTrue : yTrue.argmax(Axis)).to_type(ScalarType.Int64).reshape(-1);
            var pred = PredictedClasses(yPred).to_type(ScalarType.Int64).reshape(-1);
            var integerWeights = Dtype is "int" or "int32" or "int64";
            var w = sampleWeight is null ? torch.ones_like(truth, dtype: ScalarType.Float64)
                : sampleWeight.to(ScalarType.Float64, truth.device).reshape(-1).broadcast_to(truth.shape);
            if (integerWeights) w = w.trunc();
            var valid = truth.ge(0).logical_and(truth.lt(NumClasses)).logical_and(pred.ge(0)).logical_and(pred.lt(NumClasses));
            if (IgnoreClass is int ignore) valid = valid.logical_and(truth.ne(ignore));
            var cells = torch.where(valid, truth.mul(NumClasses).add(pred), torch.zeros_like(truth));
            w = torch.where(valid, w, torch.zeros_like(w));
            var counts = torch.zeros(new long[] { (long)NumClasses * NumClasses }, ScalarType.Float64, device: truth.device).index_add_(0, cells, w, 1);
            var host = Host(counts);
            _matrix ??= new double[host.Length];
            for (int i = 0; i < host.Length; i++) _matrix[i] += host[i];
        }

        /// <inheritdoc />
        public override double[] Results()
        {
            if (_matrix == null) return new[] { 0.0 };
            int n = NumClasses;
            double eps = Config.Epsilon(), sum = 0, valid = 0;
            foreach (int c in TargetClassIds)
            {
                double tp = _matrix[c * n + c], predicted = 0, actual = 0;
                for (int k = 0; k < n; k++)
                {
                    predicted += _matrix[k * n + c];
                    actual += _matrix[c * n + k];
                }
                double denominator = predicted + actual - tp;
                if (denominator > 1e-9)
                {
                    valid++;
                    sum += tp / (denominator + eps);
                }
            }
            return new[] { sum / (valid + eps) };
        }

        /// <inheritdoc />
        public override void ResetState() => _matrix = null;

        /// <inheritdoc />
        public override JsonObject GetConfig()
        {
            var c = base.GetConfig();
            c["num_classes"] = NumClasses;
            c["target_class_ids"] = Ids(TargetClassIds);
            c["ignore_class"] = IgnoreClass;
            c["sparse_y_true"] = SparseYTrue;
            c["sparse_y_pred"] = SparseYPred;
            c["axis"] = Axis;
            return c;
        }

        private protected static JsonArray Ids(int[] ids) => new JsonArray(ids.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());

        /// <summary>The dtype Keras writes for IoU metrics ("int" by default), read without a float policy.</summary>
        private protected static string? ReadDtype(ConfigReader c) => c.OptionalString("dtype");

        internal static IoU FromConfig(ConfigReader c) =>
            new IoU(c.Int("num_classes", min: 1), c.IntList("target_class_ids"), c.String("name", "io_u"), ReadDtype(c), c.OptionalInt("ignore_class"),
                c.Bool("sparse_y_true", true), c.Bool("sparse_y_pred", true), c.Int("axis", -1));
    }
}
