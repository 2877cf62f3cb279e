using System.Collections.Generic;
using Keras.Errors;
using Keras.Optimizers;
using TorchSharp;

namespace Keras.Callbacks
{
    /// <summary>
    /// <c>keras.callbacks.SwapEMAWeights(swap_on_epoch=False)</c>: evaluates (and predicts) with the optimizer's
    /// exponential moving average of the weights (<c>useEma: true</c>): the averages are swapped into the model when
    /// evaluation begins (including Fit's validation) and swapped back when it ends. With <c>swap_on_epoch</c> they are
    /// also swapped in at the end of every epoch, so callbacks such as ModelCheckpoint save the EMA weights, and back at
    /// the start of the next; after the last epoch the model keeps the EMA weights. A LossScaleOptimizer's inner
    /// optimizer is used.
    /// </summary>
    public sealed class SwapEMAWeights : Callback
    {
        private bool _emaWeightsInModel;

        /// <summary>Creates the callback.</summary>
        public SwapEMAWeights(bool swapOnEpoch = false) => SwapOnEpoch = swapOnEpoch;

        /// <summary>swap_on_epoch.</summary>
        public bool SwapOnEpoch { get; }

        private Optimizer EmaOptimizer()
        {
            var optimizer = Model?.Optimizer ?? throw new KerasArgumentException("SwapEMAWeights needs a compiled model (Compile it with an optimizer).");
            if (optimizer is LossScaleOptimizer scaled) optimizer = scaled.InnerOptimizer;
            if (optimizer.MovingAverages == null)
                throw new KerasArgumentException(
                    $"SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: use_ema={(optimizer.UseEma ? "True" : "False")}. " +
                    "Create the optimizer with useEma: true (and train it before evaluating).");
            return optimizer;
        }

        private void Swap()
        {
            var optimizer = EmaOptimizer();
            var variables = optimizer.BuiltVariables;
            var averages = optimizer.MovingAverages!;
            using var _ = torch.no_grad();
            for (int i = 0; i < variables.Count; i++)
            {
                using var current = variables[i].Value.detach().clone();
                variables[i].Value.copy_(averages[i]);
                averages[i].copy_(current);
            }
        }

        private void FinalizeEmaValues()
        {
            var optimizer = EmaOptimizer();
            var variables = optimizer.BuiltVariables;
            var averages = optimizer.MovingAverages!;
            using var _ = torch.no_grad();
            for (int i = 0; i < variables.Count; i++) averages[i].copy_(variables[i].Value);
        }

        /// <inheritdoc />
        public override void OnEpochBegin(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (SwapOnEpoch && _emaWeightsInModel)
            {
                Swap();
                _emaWeightsInModel = false;
            }
        }

        /// <inheritdoc />
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double>? logs = null)
        {
            if (SwapOnEpoch && !_emaWeightsInModel)
            {
                Swap();
                _emaWeightsInModel = true;
                // Fit's final FinalizeVariableValues copies the averages into the weights: after the last epoch the averages
                // must hold the (EMA) weights now in the model, as Keras does.
                if (Params.TryGetValue("epochs", out var epochs) && epochs is int total && epoch == total - 1) FinalizeEmaValues();
            }
        }

        /// <inheritdoc />
        public override void OnTestBegin(IReadOnlyDictionary<string, double>? logs = null)
        {
            if (!_emaWeightsInModel)
            {
                Swap();
                _emaWeightsInModel = true;
            }
        }

        /// <inheritdoc />
        public override void OnTestEnd(IReadOnlyDictionary<string, double>? logs = null)
        {
            if (_emaWeightsInModel)
            {
                Swap();
                _emaWeightsInModel = false;
            }
        }

        /// <inheritdoc />
        public override void OnPredictBegin(IReadOnlyDictionary<string, double>? logs = null) => OnTestBegin(logs);

        /// <summary>
        /// Swaps the weights back after prediction. (Keras 3.15.1's on_predict_end tests the flag the wrong way round and
        /// so never swaps back; this follows its evident intent, the same as <see cref="OnTestEnd"/>.)
        /// </summary>
        public override void OnPredictEnd(IReadOnlyDictionary<string, double>? logs = null) => OnTestEnd(logs);
    }
}
