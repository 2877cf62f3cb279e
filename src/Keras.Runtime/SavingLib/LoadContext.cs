using System;
using System.Collections.Generic;
using Keras.Errors;
using Keras.Interop;
using Keras.Layers;

namespace Keras.SavingLib
{
    /// <summary>
    /// What one load (LoadModel, ModelFromJson, LoadWeights) tracks while it runs on this thread: where the data comes
    /// from, the limits, the bytes of variables created so far, and the layers created (released again if the load
    /// fails, so a failed load leaves nothing behind).
    /// </summary>
    internal sealed class LoadContext : IDisposable
    {
        [ThreadStatic] private static LoadContext? _current;

        private readonly LoadContext? _outer;
        private readonly List<Layer> _created = new List<Layer>();
        private bool _succeeded;

        private LoadContext(string source, LoadLimits limits)
        {
            Source = source;
            Limits = limits;
            _outer = _current;
            _current = this;
        }

        /// <summary>The load in progress on this thread, or null.</summary>
        internal static LoadContext? Current => _current;

        /// <summary>Starts a load; dispose it when done (after <see cref="Succeeded"/> if it worked).</summary>
        internal static LoadContext Begin(string source, LoadLimits? limits)
        {
            var l = limits ?? LoadLimits.Default;
            l.Validate();
            return new LoadContext(source, l);
        }

        internal string Source { get; }

        internal LoadLimits Limits { get; }

        /// <summary>
        /// True while a LoadModel whose archive holds weights rebuilds the model: every variable will be overwritten (the
        /// load fails otherwise), so layers skip their initializers.
        /// </summary>
        internal bool WeightsFollow { get; set; }

        /// <summary>Bytes of variables created so far.</summary>
        internal long VariableBytes { get; private set; }

        /// <summary>Layers created so far.</summary>
        internal int LayerCount => _created.Count;

        /// <summary>
        /// Called before a layer allocates a variable: refuses one that would take the model past
        /// <see cref="LoadLimits.MaxModelBytes"/> (or whose size does not even fit a long), naming the layer and the size.
        /// </summary>
        internal void ChargeVariable(Layer layer, string variable, long[] shape, string dtype)
        {
            long bytes = Bytes(shape, Dtypes.ElementSize(dtype));
            if (bytes < 0 || VariableBytes + bytes > Limits.MaxModelBytes)
                throw new KerasConfigException(
                    $"{Source}: layer '{layer.Name}' ({layer.GetType().Name}) would create variable '{variable}' of shape ({string.Join(", ", shape)}) " +
                    (bytes < 0 ? "whose size does not fit in memory" : $"taking {bytes:N0} bytes") +
                    $", which takes the model past LoadLimits.MaxModelBytes ({Limits.MaxModelBytes:N0} bytes; {VariableBytes:N0} already used). " +
                    "If the file is trusted and the model really is this large, raise the limit (Keras.LoadLimits.Default = Keras.LoadLimits.Default " +
                    "with { MaxModelBytes = ... }) or pass limits to the loading call.",
                    Source, $"layer '{layer.Name}' ({layer.GetType().Name})", variable, "(" + string.Join(", ", shape) + ")",
                    $"at most {Limits.MaxModelBytes:N0} bytes of variables");
            VariableBytes += bytes;
        }

        /// <summary>Bytes of a shape's elements, or -1 when the product overflows.</summary>
        internal static long Bytes(long[] shape, int elementSize)
        {
            long total = elementSize;
            foreach (var d in shape)
            {
                if (d < 0) return -1;
                try
                {
                    total = checked(total * d);
                }
                catch (OverflowException)
                {
                    return -1;
                }
            }
            return total;
        }

        /// <summary>Records a layer created by this load, and refuses configs with more than <see cref="LoadLimits.MaxLayers"/>.</summary>
        internal void Created(Layer layer)
        {
            _created.Add(layer);
            if (_created.Count > Limits.MaxLayers)
                throw new KerasConfigException(
                    $"{Source}: the configuration creates more than LoadLimits.MaxLayers ({Limits.MaxLayers:N0}) layers. Raise the limit if the file is " +
                    "trusted and the model really is this large.", Source, null, null, null, $"at most {Limits.MaxLayers:N0} layers");
        }

        /// <summary>Marks the load as complete: its layers are kept.</summary>
        internal void Succeeded() => _succeeded = true;

        public void Dispose()
        {
            _current = _outer;
            if (_succeeded) return;
            // A failed load: release the native memory of everything it created.
            for (int i = _created.Count - 1; i >= 0; i--)
            {
                try
                {
                    _created[i].Dispose();
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }
    }
}
