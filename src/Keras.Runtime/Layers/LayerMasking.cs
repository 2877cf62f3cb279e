using Keras.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace Keras.Layers
{
    // Keras' masks: a boolean tensor (batch, time) that travels with a layer's output (Keras' `_keras_mask`). Here it
    // travels beside the output: models pass each layer the mask of its input and keep the mask it computes.
    public abstract partial class Layer
    {
        /// <summary>
        /// Keras' <c>supports_masking</c>: whether the layer computes an output mask (by default it passes its input's
        /// mask through). A layer that does not support masking drops the mask, as Keras does (it warns there).
        /// </summary>
        public virtual bool SupportsMasking => false;

        /// <summary>
        /// Keras' <c>compute_mask(inputs, previous_mask)</c>: the mask of the output for <paramref name="inputs"/> carrying
        /// <paramref name="previousMask"/>. The default passes the previous mask on. The caller owns the result.
        /// </summary>
        public virtual Tensor? ComputeMask(Tensor inputs, Tensor? previousMask) => previousMask?.alias();

        /// <summary>
        /// The computation when the input carries a mask (Keras' <c>call(inputs, mask=...)</c>); layers that use the mask
        /// (recurrent layers, pooling) override it. The default ignores the mask.
        /// </summary>
        protected virtual Tensor CallCoreWithMask(Tensor inputs, Tensor? mask, bool? training) => CallCore(inputs, training);

        /// <summary>
        /// One call with its mask: the computation, then (when asked) the output mask as Keras' <c>_set_mask_metadata</c>
        /// computes it: <see cref="ComputeMask"/> when the layer supports masking, none otherwise. Models override it to
        /// run their layers with their masks.
        /// </summary>
        private protected virtual Tensor CallMasked(Tensor inputs, Tensor? mask, bool? training, bool wantMask, out Tensor? outputMask)
        {
            var output = CallCoreWithMask(inputs, mask, training);
            outputMask = null;
            if (!wantMask || !SupportsMasking) return output;
            try
            {
                outputMask = ComputeMask(inputs, mask);
            }
            catch
            {
                output.Dispose();
                throw;
            }
            return output;
        }

        /// <summary>
        /// Calls the layer on a concrete tensor that carries <paramref name="mask"/> (Keras' <c>layer(x, mask=mask)</c>,
        /// boolean (batch, time), true for steps to use). The caller owns the result.
        /// </summary>
        public Tensor Call(Tensor inputs, Tensor? mask, bool? training = null) => CallInternal(inputs, mask, training, false, out _);

        /// <summary>
        /// Calls the layer and returns its output with the output's mask (null when there is none), as Keras attaches it to
        /// the output. The caller owns both.
        /// </summary>
        public (Tensor Output, Tensor? Mask) CallWithMask(Tensor inputs, Tensor? mask = null, bool? training = null)
        {
            var output = CallInternal(inputs, mask, training, true, out var outputMask);
            return (output, outputMask);
        }

        /// <summary>Checks that a mask has the (batch, time) shape of <paramref name="inputs"/>' leading axes.</summary>
        private protected void CheckMask(Tensor inputs, Tensor mask)
        {
            var shape = mask.shape;
            var inputShape = inputs.shape;
            bool ok = shape.Length >= 1 && shape.Length <= inputShape.Length;
            for (int i = 0; ok && i < shape.Length; i++) ok = shape[i] == inputShape[i];
            if (!ok)
                throw new KerasArgumentException(
                    $"Layer \"{Name}\" received a mask of shape {FormatShape(shape)} for inputs of shape {FormatShape(inputShape)}: " +
                    "a mask covers the leading (batch, time) axes of the inputs.");
        }
    }
}
