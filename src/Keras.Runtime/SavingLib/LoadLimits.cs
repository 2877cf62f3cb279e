using System;
using Keras.Errors;

namespace Keras
{
    /// <summary>
    /// The budget a <c>.keras</c> or <c>.weights.h5</c> file gets while it is loaded: files are untrusted, and every size
    /// they declare is checked against these limits before anything is allocated. The defaults fit every model up to
    /// about half a billion float32 parameters; raise them for larger models:
    /// <c>Keras.LoadLimits.Default = Keras.LoadLimits.Default with { MaxModelBytes = 16L &lt;&lt; 30 };</c>
    /// or pass limits to one call (<c>Saving.LoadModel(path, limits: ...)</c>).
    /// </summary>
    public sealed record LoadLimits
    {
        private static LoadLimits _default = new LoadLimits();

        /// <summary>The limits used when a call passes none.</summary>
        public static LoadLimits Default
        {
            get => _default;
            set => _default = value ?? throw new KerasArgumentException("LoadLimits.Default cannot be null.", nameof(value));
        }

        /// <summary>Largest JSON entry of an archive (config.json, metadata.json), counted as inflated bytes. Default 64 MiB.</summary>
        public long MaxJsonBytes { get; init; } = 64L << 20;

        /// <summary>Largest weights file (a <c>.weights.h5</c>, or the archive's <c>model.weights.h5</c> inflated). Default 16 GiB.</summary>
        public long MaxWeightsBytes { get; init; } = 16L << 30;

        /// <summary>
        /// Most bytes of variables a configuration may create (every layer's weights together, in their dtypes): a config
        /// declaring more is refused before its weights are allocated, naming the layer. Default 2 GiB.
        /// </summary>
        public long MaxModelBytes { get; init; } = 2L << 30;

        /// <summary>Most layers (and graph nodes) a configuration may hold. Default 100,000.</summary>
        public int MaxLayers { get; init; } = 100_000;

        /// <summary>Most objects (groups, datasets, links) a weights file may hold. Default 1,000,000.</summary>
        public int MaxHdf5Objects { get; init; } = 1_000_000;

        /// <summary>Deepest nesting of JSON (objects in lists in objects ...) a config may have. Default 256.</summary>
        public int MaxJsonDepth { get; init; } = 256;

        /// <summary>The highest tensor rank a config or weights file may declare (not configurable).</summary>
        public const int MaxRank = 32;

        internal void Validate()
        {
            if (MaxJsonBytes <= 0 || MaxWeightsBytes <= 0 || MaxModelBytes <= 0 || MaxLayers <= 0 || MaxHdf5Objects <= 0 || MaxJsonDepth <= 0)
                throw new KerasArgumentException("Every LoadLimits value must be positive. Received: " + this);
        }
    }
}
