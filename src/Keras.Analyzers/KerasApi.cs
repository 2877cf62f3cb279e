namespace Keras.Analyzers
{
    /// <summary>
    /// Metadata names of the Keras.Runtime APIs the analyzers recognise. The analyzers never reference Keras.Runtime;
    /// their tests compile against the real assembly, so a rename in the runtime breaks them.
    /// </summary>
    internal static class KerasApi
    {
        public const string Config = "Keras.Config";
        public const string Utils = "Keras.Utils";
        public const string Backend = "Keras.Backend";
        public const string Layer = "Keras.Layers.Layer";
        public const string Model = "Keras.Models.Model";
        public const string DTypePolicy = "Keras.DTypePolicy";
        public const string Saving = "Keras.Saving";
        public const string ModelCheckpoint = "Keras.Callbacks.ModelCheckpoint";

        public const string SetFloatx = "SetFloatx";
        public const string SetEpsilon = "SetEpsilon";
        public const string SetImageDataFormat = "SetImageDataFormat";
        public const string SetBackend = "SetBackend";
        public const string SetDtypePolicy = "SetDtypePolicy";
        public const string SetMaxEpochs = "SetMaxEpochs";
        public const string SetMaxStepsPerEpoch = "SetMaxStepsPerEpoch";
        public const string EnableUnsafeDeserialization = "EnableUnsafeDeserialization";
        public const string ClearSession = "ClearSession";
        public const string SafeModeParameter = "safeMode";
    }
}
